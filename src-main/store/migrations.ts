/**
 * Versioned schema changes, applied in order, each in its own transaction. The applied version is
 * SQLite's `user_version`. Never edit a released migration: add a new one.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'settings and logs',
    sql: `
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL -- JSON
      ) STRICT;
      CREATE TABLE logs (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        time    TEXT NOT NULL,
        level   TEXT NOT NULL,
        source  TEXT NOT NULL,
        message TEXT NOT NULL,
        fields  TEXT -- JSON object or NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'generations',
    sql: `
      CREATE TABLE generations (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        time            TEXT NOT NULL,              -- ISO 8601, when the request arrived
        role            TEXT NOT NULL,              -- 'miner' (made here) or 'validator' (received)
        caller          TEXT NOT NULL,              -- the requesting hotkey (or 'ui')
        prompt          TEXT NOT NULL,
        duration_tokens INTEGER NOT NULL,
        model           TEXT,
        device          TEXT,
        status          TEXT NOT NULL,              -- 'ok' or 'failed'
        error           TEXT,
        queued_ms       REAL NOT NULL,
        generate_ms     REAL NOT NULL,
        audio_bytes     INTEGER NOT NULL DEFAULT 0,
        wav_file        TEXT                        -- relative to <data>/generations, NULL without audio
      ) STRICT;
      CREATE INDEX generations_time ON generations (time);
    `,
  },
  {
    version: 3,
    name: 'rewards',
    sql: `
      CREATE TABLE rewards (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        time      TEXT NOT NULL,                    -- ISO 8601, when the snapshot was taken
        block     INTEGER NOT NULL,                 -- the block the metagraph was read at
        netuid    INTEGER NOT NULL,
        uid       INTEGER NOT NULL,
        hotkey    TEXT NOT NULL,
        stake     TEXT NOT NULL,                    -- rao, decimal (u64 does not fit a REAL)
        incentive REAL NOT NULL,                    -- 0 … 1
        emission  TEXT NOT NULL,                    -- rao, decimal
        trust     REAL,                             -- 0 … 1, NULL where the runtime has none
        UNIQUE (netuid, hotkey, block)
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: 'audio hashes',
    sql: `
      CREATE TABLE audio_hashes (
        hash       TEXT PRIMARY KEY,               -- sha256 hex of the peak-normalised float32 samples
        first_seen TEXT NOT NULL,                  -- ISO 8601
        source     TEXT NOT NULL,                  -- 'response' (a miner's clip) or 'reference' (a round's clip)
        hotkey     TEXT                            -- who sent it first; NULL for a reference clip
      ) STRICT;
    `,
  },
  {
    version: 5,
    name: 'audio fingerprints',
    sql: `
      CREATE TABLE audio_fingerprints (
        id          TEXT PRIMARY KEY,              -- the answer's id in the near-duplicate index
        time        TEXT NOT NULL,                 -- ISO 8601, when it joined the index
        frames      INTEGER NOT NULL,
        bands       INTEGER NOT NULL,
        hop_seconds REAL NOT NULL,
        cells       BLOB NOT NULL                  -- frames × bands float32 little-endian, row-major
      ) STRICT;
      CREATE INDEX audio_fingerprints_time ON audio_fingerprints (time);
    `,
  },
];
