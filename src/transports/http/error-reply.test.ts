import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PlinthError, validationError } from "../../core/errors.ts";
import { type ErrorLog, sentenize, toErrorReply } from "./error-reply.ts";

function recordingLog(): ErrorLog & { errors: object[]; debugs: object[] } {
  const errors: object[] = [];
  const debugs: object[] = [];
  return { errors, debugs, error: (obj) => errors.push(obj), debug: (obj) => debugs.push(obj) };
}

describe("toErrorReply", () => {
  test("maps a PlinthError through the status table with its fields as data", () => {
    const log = recordingLog();
    const err = validationError({ title: { code: "validation_required", message: "Cannot be blank." } });
    assert.deepEqual(toErrorReply(err, log), {
      status: 400,
      body: {
        status: 400,
        message: "Failed to validate the submitted data.",
        data: { title: { code: "validation_required", message: "Cannot be blank." } },
      },
    });
    assert.equal(log.errors.length, 0);
  });

  test("sentenizes messages and falls back to the code's default", () => {
    const log = recordingLog();
    assert.equal(toErrorReply(new PlinthError("forbidden", "only owners"), log).body.message, "Only owners.");
    assert.equal(
      toErrorReply(new PlinthError("not_found", ""), log).body.message,
      "The requested resource wasn't found.",
    );
    assert.equal(toErrorReply(new PlinthError("rate_limited", ""), log).status, 429);
  });

  test("hides the message of an internal PlinthError and logs it", () => {
    const log = recordingLog();
    const reply = toErrorReply(new PlinthError("internal", "disk /var/lib/plinth full"), log);
    assert.equal(reply.status, 500);
    assert.equal(reply.body.message, "Something went wrong while processing your request.");
    assert.equal(log.errors.length, 1);
  });

  test("hides SQL text and file paths of an unknown error behind a generic 500", () => {
    const log = recordingLog();
    const err = new Error('SQLITE_ERROR near "SELECT * FROM users WHERE password": /srv/plinth/data.db');
    const reply = toErrorReply(err, log);
    const text = JSON.stringify(reply.body);
    assert.equal(reply.status, 500);
    assert.deepEqual(reply.body, {
      status: 500,
      message: "Something went wrong while processing your request.",
      data: {},
    });
    assert.ok(!text.includes("SELECT"));
    assert.ok(!text.includes("/srv/plinth"));
    assert.ok(!text.includes("at "));
    assert.deepEqual(log.errors, [{ err }]);
  });

  test("treats non-Error throwables as unknown", () => {
    const log = recordingLog();
    assert.equal(toErrorReply("boom", log).status, 500);
    assert.equal(toErrorReply(null, log).status, 500);
    assert.equal(log.errors.length, 2);
  });

  test("maps Fastify's body-too-large to 413", () => {
    const err = Object.assign(new RangeError("Request body is too large"), {
      code: "FST_ERR_CTP_BODY_TOO_LARGE",
      statusCode: 413,
    });
    assert.deepEqual(toErrorReply(err, recordingLog()).body, {
      status: 413,
      message: "Request entity too large.",
      data: {},
    });
  });

  test("answers an unsupported media type with 400 as PocketBase does", () => {
    const err = Object.assign(new Error("Unsupported Media Type: text/csv"), {
      code: "FST_ERR_CTP_INVALID_MEDIA_TYPE",
      statusCode: 415,
    });
    const reply = toErrorReply(err, recordingLog());
    assert.equal(reply.status, 400);
    assert.equal(reply.body.message, "Unsupported Content-Type.");
  });

  test("maps schema validation errors to 400 with field data", () => {
    const err = Object.assign(new Error("body/title must be string"), {
      code: "FST_ERR_VALIDATION",
      statusCode: 400,
      validation: [
        { instancePath: "/title", keyword: "type", params: {}, message: "must be string" },
        { instancePath: "", keyword: "required", params: { missingProperty: "email" }, message: "x" },
      ],
    });
    assert.deepEqual(toErrorReply(err, recordingLog()).body.data, {
      title: { code: "validation_invalid_value", message: "Must be string." },
      email: { code: "validation_required", message: "Cannot be blank." },
    });
  });

  test("reads an unlisted Fastify 4xx back to the nearest code without echoing its message", () => {
    const err = Object.assign(new Error("'/%zz' is not a valid url component"), {
      code: "FST_ERR_BAD_URL",
      statusCode: 400,
    });
    const reply = toErrorReply(err, recordingLog());
    assert.equal(reply.status, 400);
    assert.ok(!reply.body.message.includes("%zz"));
  });

  test("treats a Fastify 5xx as unknown", () => {
    const log = recordingLog();
    const err = Object.assign(new Error("x"), { code: "FST_ERR_ASYNC_CONSTRAINT", statusCode: 500 });
    assert.equal(toErrorReply(err, log).status, 500);
    assert.equal(log.errors.length, 1);
  });
});

test("sentenize capitalises and ends with punctuation", () => {
  assert.equal(sentenize(" request entity too large "), "Request entity too large.");
  assert.equal(sentenize("Done?"), "Done?");
  assert.equal(sentenize(""), "");
});
