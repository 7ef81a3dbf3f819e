/**
 * SQL functions Plinth installs in its PostgreSQL schema so filters keep SQLite's comparison rules
 * where the compiler cannot see both operands' types (JSON paths, array items, mixed types):
 * NULL < numbers (booleans count as 0/1) < text, text compared byte-wise. See docs/filter.md.
 */
export const POSTGRES_FUNCTIONS: readonly string[] = [
  `CREATE OR REPLACE FUNCTION plinth_num(v jsonb) RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE jsonb_typeof(v)
      WHEN 'number' THEN (v #>> '{}')::double precision
      WHEN 'boolean' THEN CASE WHEN v = 'true'::jsonb THEN 1 ELSE 0 END
      ELSE NULL END
  $$`,
  `CREATE OR REPLACE FUNCTION plinth_txt(v jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE jsonb_typeof(v)
      WHEN 'string' THEN v #>> '{}'
      WHEN 'null' THEN NULL
      WHEN 'boolean' THEN CASE WHEN v = 'true'::jsonb THEN '1' ELSE '0' END
      ELSE v::text END
  $$`,
  `CREATE OR REPLACE FUNCTION plinth_cmp(a jsonb, b jsonb) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
      WHEN a IS NULL OR b IS NULL OR jsonb_typeof(a) = 'null' OR jsonb_typeof(b) = 'null' THEN NULL
      WHEN plinth_num(a) IS NOT NULL AND plinth_num(b) IS NOT NULL
        THEN sign(plinth_num(a) - plinth_num(b))::integer
      WHEN plinth_num(a) IS NOT NULL THEN -1
      WHEN plinth_num(b) IS NOT NULL THEN 1
      WHEN plinth_txt(a) COLLATE "C" < plinth_txt(b) COLLATE "C" THEN -1
      WHEN plinth_txt(a) COLLATE "C" > plinth_txt(b) COLLATE "C" THEN 1
      ELSE 0 END
  $$`,
  `CREATE OR REPLACE FUNCTION plinth_is(a jsonb, b jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT COALESCE(plinth_cmp(a, b) = 0,
      (a IS NULL OR jsonb_typeof(a) = 'null') AND (b IS NULL OR jsonb_typeof(b) = 'null'))
  $$`,
  // Text that is valid JSON becomes that JSON; any other text becomes a JSON string (SQLite's json_valid split).
  `CREATE OR REPLACE FUNCTION plinth_try_jsonb(t text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
    BEGIN
      IF t IS NULL THEN RETURN NULL; END IF;
      IF t !~ '^\\s*([\\[{"]|-?[0-9]|true|false|null)' THEN RETURN to_jsonb(t); END IF;
      RETURN t::jsonb;
    EXCEPTION WHEN others THEN
      RETURN to_jsonb(t);
    END
  $$`,
  `CREATE OR REPLACE FUNCTION plinth_to_number(t text) RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN trim(t) ~ '^[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?$'
      THEN trim(t)::double precision ELSE NULL END
  $$`,
  // A view column of a json field: SQLite's reading of any value as JSON (text that is JSON is that
  // JSON, other text a string, booleans 0/1), so the column has the json type a json field's column has.
  `CREATE OR REPLACE FUNCTION plinth_json(v anyelement) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT to_json(v)
  $$`,
  `CREATE OR REPLACE FUNCTION plinth_json(v text) RETURNS json LANGUAGE sql IMMUTABLE AS $$
    SELECT plinth_try_jsonb(v)::json
  $$`,
  `CREATE OR REPLACE FUNCTION plinth_json(v boolean) RETURNS json LANGUAGE sql IMMUTABLE AS $$
    SELECT to_json(v::integer)
  $$`,
  // SQLite's strftime for the common specifiers; modifiers are not supported (docs/filter.md).
  `CREATE OR REPLACE FUNCTION plinth_strftime(fmt text, t text) RETURNS text LANGUAGE plpgsql STABLE AS $$
    DECLARE ts timestamp; result text := ''; i integer := 1; c text; part text;
    BEGIN
      IF fmt IS NULL OR t IS NULL THEN RETURN NULL; END IF;
      IF t = 'now' THEN ts := now() AT TIME ZONE 'UTC';
      ELSE
        BEGIN ts := replace(replace(t, 'T', ' '), 'Z', '')::timestamp;
        EXCEPTION WHEN others THEN RETURN NULL; END;
      END IF;
      WHILE i <= length(fmt) LOOP
        c := substr(fmt, i, 1);
        IF c = '%' AND i < length(fmt) THEN
          i := i + 1;
          part := CASE substr(fmt, i, 1)
            WHEN 'Y' THEN to_char(ts, 'YYYY') WHEN 'm' THEN to_char(ts, 'MM') WHEN 'd' THEN to_char(ts, 'DD')
            WHEN 'H' THEN to_char(ts, 'HH24') WHEN 'M' THEN to_char(ts, 'MI') WHEN 'S' THEN to_char(ts, 'SS')
            WHEN 'f' THEN to_char(ts, 'SS.MS') WHEN 'j' THEN to_char(ts, 'DDD')
            WHEN 'w' THEN extract(dow FROM ts)::integer::text
            WHEN 's' THEN floor(extract(epoch FROM ts))::bigint::text
            WHEN '%' THEN '%' ELSE NULL END;
          IF part IS NULL THEN RETURN NULL; END IF;
          result := result || part;
        ELSE
          result := result || c;
        END IF;
        i := i + 1;
      END LOOP;
      RETURN result;
    END
  $$`,
];

/** Taken by every schema change and by start-up, so instances change the schema one at a time. */
export const SCHEMA_LOCK_KEY = 0x706c696e; // "plin"
