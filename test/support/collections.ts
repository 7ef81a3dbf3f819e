// Collection bodies several suites create through the API.

/** `notes`: one text field `title`, listed, viewed and created by anyone. */
export const PUBLIC_NOTES = {
  name: "notes",
  type: "base",
  fields: [{ name: "title", type: "text" }],
  listRule: "",
  viewRule: "",
  createRule: "",
} as const;
