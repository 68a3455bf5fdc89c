/** jest runs TypeScript through swc; jose and middy ship ESM only, so they are transformed too. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', {}] },
  transformIgnorePatterns: ['/node_modules/(?!(jose|@middy)/)'],
  setupFiles: ['<rootDir>/tests/setupEnv.ts'],
  testTimeout: 30000,
};
