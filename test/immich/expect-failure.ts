// The one check every client failure must pass, shared by the protocol and
// simulator tests: an ImmichError of the expected kind whose message is one
// clean line (no newline, no stack frame).
import { expect } from "bun:test";
import { type ErrorKind, ImmichError } from "../../src/immich/index.ts";

/** The ImmichError `p` rejects with, checked to be of `kind` and one clean line. */
export async function failure(p: Promise<unknown>, kind: ErrorKind): Promise<ImmichError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ImmichError);
  const e = caught as ImmichError;
  expect({ kind: e.kind, message: e.message }).toMatchObject({ kind });
  expect(e.message).not.toContain("\n");
  expect(e.message).not.toMatch(/\bat .*:\d+:\d+/); // no stack frames
  return e;
}
