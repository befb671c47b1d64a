import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimatedMatches } from '../../src/accounts/directory.ts';

describe('estimatedMatches: the matches of a whole table, from the blocks its first ones lay in', { timeout: 10_000 }, () => {
  const blocks = 20_000;

  it('extends a read from the start of the table (a bitmap scan) to the whole table', () => {
    // 1,000 matches spread over the first 400 blocks: one read in 50 of the table, 50,000 in all.
    assert.equal(estimatedMatches({ found: 1_000, blocks, span: 399, widestGap: 2 }), 50_000);
  });

  it('reads a sequential scan that started in the middle of the table and wrapped around its end as the part it read', () => {
    // Started at block 19,800, read to the end, then blocks 0 to 199: 400 blocks read, the rest (19,400) left unread.
    const wrapped = estimatedMatches({ found: 1_000, blocks, span: 19_999, widestGap: 19_601 });
    assert.equal(wrapped, 50_000);
    // Started at block 12,000 and stopped at 12,399 without wrapping: the same 400 blocks.
    assert.equal(estimatedMatches({ found: 1_000, blocks, span: 399, widestGap: 2 }), wrapped);
  });

  it('never comes out lower than the true rate when the matches cluster inside the part read', () => {
    // 2,000 blocks read from the start, the 1,000 matches all in its last 100 blocks: the true rate is 10,000 in all.
    assert.ok(estimatedMatches({ found: 1_000, blocks, span: 99, widestGap: 1 }) >= 10_000);
  });

  it('holds when the table grew since its size was read', () => {
    assert.ok(Number.isFinite(estimatedMatches({ found: 1_000, blocks: 10, span: 399, widestGap: 2 })));
    assert.ok(estimatedMatches({ found: 1_000, blocks: 10, span: 399, widestGap: 2 }) >= 1_000);
  });
});
