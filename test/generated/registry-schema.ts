// A schema whose compiled check calls TypeBox's hash() (uniqueItems): the
// generator must refuse it (test/generated/checks.test.ts).
import { Type } from "@sinclair/typebox";

export const UniqueSchema = Type.Array(Type.String(), { uniqueItems: true });
