import { loggableList, loggableText } from '../../lib/logText';

describe('loggableText', () => {
  test('keeps ordinary text, other scripts and emoji as they are', () => {
    // Act
    const text = loggableText('svc-1 サービス 😀 ñ');

    // Assess
    expect(text).toBe('svc-1 サービス 😀 ñ');
  });

  test.each([
    ['a line separator', 'a\u2028b', 'a\\u2028b'],
    ['a paragraph separator', 'a\u2029b', 'a\\u2029b'],
    ['a next-line control (C1)', 'a\u0085b', 'a\\u0085b'],
    ['a right-to-left override', 'a\u202eb', 'a\\u202eb'],
    ['a first-strong isolate', 'a\u2068b', 'a\\u2068b'],
    ['a zero-width space', 'a\u200bb', 'a\\u200bb'],
    ['a newline and a tab', 'a\n\tb', 'a\\u000a\\u0009b'],
    ['a NUL', 'a\u0000b', 'a\\u0000b'],
  ])('writes %s as a \\u escape', (_name, raw, escaped) => {
    // Act
    const text = loggableText(raw);

    // Assess
    expect(text).toBe(escaped);
  });

  test('cuts text past 256 characters, counting code points, with a marker of what was cut', () => {
    // Act
    const text = loggableText(`${'😀'.repeat(256)}xyz`);

    // Assess
    expect(text).toBe(`${'😀'.repeat(256)}…(+3 characters)`);
  });

  test('keeps 200 emoji uncut: the limit counts characters, not the 400 UTF-16 units they take', () => {
    // Act
    const text = loggableText('😀'.repeat(200));

    // Assess
    expect(text).toBe('😀'.repeat(200));
  });

  test('keeps exactly 256 characters without a marker', () => {
    // Act
    const text = loggableText('x'.repeat(256));

    // Assess
    expect(text).toBe('x'.repeat(256));
  });
});

describe('loggableList', () => {
  test('keeps at most 16 entries of at most 64 characters, with markers', () => {
    // Act
    const list = loggableList([...Array.from({ length: 17 }, (_, index) => `scope-${index}`), 'x'.repeat(100)]);

    // Assess
    expect(list).toHaveLength(17);
    expect(list[15]).toBe('scope-15');
    expect(list[16]).toBe('…(+2 entries)');
    expect(loggableList(['y'.repeat(65)])).toEqual([`${'y'.repeat(64)}…(+1 characters)`]);
  });

  test('escapes each entry', () => {
    // Act
    const list = loggableList(['push\u2028admin']);

    // Assess
    expect(list).toEqual(['push\\u2028admin']);
  });
});
