/** jest runs TypeScript through swc; jose, middy, oauth4webapi and openid-client ship ESM only, so they are transformed too. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', {}] },
  transformIgnorePatterns: ['/node_modules/(?!(jose|@middy|oauth4webapi|openid-client)/)'],
  setupFiles: ['<rootDir>/tests/setupEnv.ts'],
  testTimeout: 30000,
};
