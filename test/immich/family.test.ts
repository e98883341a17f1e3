// Version arithmetic and the permission advice per Immich version (API.md §2).

import { expect, test } from "bun:test";
import { compareVersions, hasQueuesApi, scopesToGrant } from "../../src/immich/index.ts";

const v = (major: number, minor: number, patch = 0) => ({ major, minor, patch });

test.each([
  [v(2, 3, 9), false],
  [v(2, 4, 0), true],
  [v(2, 10, 0), true],
  [v(1, 200, 0), false],
  [v(3, 0, 0), true],
])("hasQueuesApi(%o) = %p", (version, expected) => {
  expect(hasQueuesApi(version)).toBe(expected);
});

test.each([
  [v(1, 120), "any permission (this version does not check them)"],
  [v(1, 136), "all"],
  [v(1, 137), "job.read and job.create"],
  [v(2, 3, 1), "job.read and job.create"],
  [v(2, 4), "queue.read and queue.update (or job.read and job.create)"],
  [v(3, 1), "queue.read and queue.update (or job.read and job.create)"],
])("scopesToGrant(%o) = %p", (version, expected) => {
  expect(scopesToGrant(version)).toBe(expected);
});

test("compareVersions orders by major, minor, patch (numerically, not as text)", () => {
  const sorted = [v(2, 10), v(2, 9), v(10, 0), v(2, 9, 1), v(1, 137, 3)].sort(compareVersions);
  expect(sorted).toEqual([v(1, 137, 3), v(2, 9), v(2, 9, 1), v(2, 10), v(10, 0)]);
});
