-- 0008_routing_data.sql: what the rota planner reads (issue #9, docs/ROUTING-PLANNER.md).
--
--   holdings                   one bibliographic record a member library holds
--   holding_identifiers        its identifiers (ISBN, ISSN, OCLC number, local number), normalised
--   lending_policy_versions    every lending-policy file loaded, verbatim, with its checksum
--   lending_policy_defaults    the consortium's defaults and rules of one version
--   lending_policy_libraries   one library's resolved policy (defaults applied) in one version

-- ---------------------------------------------------------------------------------------------
-- holdings: loaded by `illctl holdings import` from CSV or MARC files. Titles and authors are
-- kept as given (for people) and as match keys (lower case, diacritics and punctuation and
-- leading articles removed; the author key is the surname), which the planner compares when
-- the request's identifiers match nothing.
CREATE TABLE holdings (
  id               bigserial PRIMARY KEY,
  symbol           text NOT NULL REFERENCES peers (symbol),  -- the library holding the item
  title            text NOT NULL DEFAULT '',
  author           text NOT NULL DEFAULT '',
  title_key        text NOT NULL DEFAULT '',
  author_key       text NOT NULL DEFAULT '',
  source_file      text NOT NULL,            -- the file it was imported from, as named
  source_position  integer NOT NULL,         -- CSV line or MARC record number in that file
  imported_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE holdings IS 'Bibliographic records held by member libraries, for the rota planner';
CREATE INDEX holdings_symbol_idx ON holdings (symbol);
CREATE INDEX holdings_title_author_idx ON holdings (title_key, author_key) WHERE title_key <> '';

CREATE TABLE holding_identifiers (
  holding_id       bigint NOT NULL REFERENCES holdings (id) ON DELETE CASCADE,
  kind             text NOT NULL CHECK (kind IN ('isbn', 'issn', 'oclc', 'local')),
  value            text NOT NULL CHECK (value <> ''),  -- normalised: ISBN-13 digits, ISSN
                                                       -- NNNNNNNC, OCLC digits, local as given
  PRIMARY KEY (holding_id, kind, value)
);
COMMENT ON TABLE holding_identifiers IS 'Normalised identifiers of a holdings record';
CREATE INDEX holding_identifiers_lookup_idx ON holding_identifiers (kind, value);

-- ---------------------------------------------------------------------------------------------
-- Lending policy: one reviewed TOML file (`illctl policy check|load`). Every load makes a new
-- version; the newest is the one in force, and every rota names the version it used.
CREATE TABLE lending_policy_versions (
  version          integer PRIMARY KEY CHECK (version > 0),  -- 1, 2, ... in load order
  file_text        text NOT NULL,            -- the file exactly as loaded
  sha256           text NOT NULL,            -- of file_text: an unchanged file is not loaded again
  source_name      text NOT NULL,            -- the file name given to `illctl policy load`
  loaded_at        timestamptz NOT NULL DEFAULT now(),
  loaded_by        text NOT NULL             -- who loaded it (the operator's login name)
);
COMMENT ON TABLE lending_policy_versions IS 'Every lending-policy file loaded, verbatim';

CREATE TABLE lending_policy_defaults (
  version          integer PRIMARY KEY REFERENCES lending_policy_versions (version),
  consortium       text NOT NULL DEFAULT '',  -- the consortium's name
  currency         char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),  -- of every charge
  load_window_days integer NOT NULL CHECK (load_window_days > 0),  -- lend/borrow counts reach back
  load_band        numeric(8, 4) NOT NULL CHECK (load_band > 0),   -- loads this close count as equal
  -- The defaults a library without a section of its own gets (same columns as below).
  role             text NOT NULL CHECK (role IN ('member', 'regional-centre', 'national-centre')),
  item_types       smallint[] NOT NULL,      -- ISO 10161 Item-Type: 1 monograph, 2 serial, 3 other
  services         smallint[] NOT NULL,      -- ILL-Service-Type: 1 loan, 2 copy-non-returnable, ...
  loan_period_days integer NOT NULL CHECK (loan_period_days > 0),
  charge           numeric(18, 4) NOT NULL CHECK (charge >= 0),
  max_in_hand      integer NOT NULL CHECK (max_in_hand > 0),
  enabled          boolean NOT NULL
);
COMMENT ON TABLE lending_policy_defaults IS 'The consortium''s rules and defaults in one policy version';

CREATE TABLE lending_policy_libraries (
  version          integer NOT NULL REFERENCES lending_policy_versions (version),
  symbol           text NOT NULL,            -- a library's symbol (need not be a peer yet)
  region           text NOT NULL DEFAULT '', -- libraries of one region are each other's tier 1
  catalogue        text NOT NULL DEFAULT '', -- live catalogue target ('z3950:...', 'sru:...'); '': none
  role             text NOT NULL CHECK (role IN ('member', 'regional-centre', 'national-centre')),
  item_types       smallint[] NOT NULL,
  services         smallint[] NOT NULL,
  loan_period_days integer NOT NULL CHECK (loan_period_days > 0),
  charge           numeric(18, 4) NOT NULL CHECK (charge >= 0),
  max_in_hand      integer NOT NULL CHECK (max_in_hand > 0),
  enabled          boolean NOT NULL,         -- false: never asked to lend
  PRIMARY KEY (version, symbol)
);
COMMENT ON TABLE lending_policy_libraries IS 'One library''s lending policy (defaults applied) in one version';
