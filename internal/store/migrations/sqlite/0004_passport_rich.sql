-- Blason claim store, SQLite schema version 4: what a student adds to a passport
-- beyond the awards. headline is one line of plain text; links is a JSON
-- array of {"label", "url"} objects (https:// addresses), '' for none;
-- group_name puts an award in a named group of the page, '' for none.
-- All are checked by the store before writing and again by the build.
ALTER TABLE passports ADD COLUMN headline TEXT NOT NULL DEFAULT '';
ALTER TABLE passports ADD COLUMN links TEXT NOT NULL DEFAULT '';
ALTER TABLE passport_awards ADD COLUMN group_name TEXT NOT NULL DEFAULT '';
