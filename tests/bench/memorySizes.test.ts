import { estimateMemorySizes } from '../../bench/memorySizes';

test('gives a function a full vCPU at 1769 MB and a proportional share below it', () => {
  const [small, full, large] = estimateMemorySizes(300, 150, [128, 1769, 3008]);

  expect(small?.vcpu).toBeCloseTo(128 / 1769, 3);
  expect(full?.vcpu).toBe(1);
  expect(large?.vcpu).toBe(1);
  expect(small?.coldStartMs).toBe(Math.round(150 / (128 / 1769)));
});

test('bills a warm request by the started millisecond, never less than one', () => {
  const [small, full] = estimateMemorySizes(300, 150, [128, 1769]);

  expect(small?.warmMs).toBeCloseTo(4.15, 2);
  expect(small?.warmBilledMs).toBe(5);
  expect(full?.warmBilledMs).toBe(1);
});

test('prices a million warm requests by billed GB-seconds, arm64 below x86', () => {
  const [size] = estimateMemorySizes(300, 150, [1024]);

  // 1 ms billed at 1 GB for a million requests is 1,000 GB-s.
  expect(size?.arm64PerMillion).toBeCloseTo(1000 * 0.0000133334, 4);
  expect(size?.x86PerMillion).toBeGreaterThan(size?.arm64PerMillion ?? Infinity);
});
