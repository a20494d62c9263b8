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
  {
    // Issue #12: every weights submission, written before it is sent (restart safety).
    version: 6,
    name: 'weight submissions',
    sql: `
      CREATE TABLE weight_submissions (
        id                 INTEGER PRIMARY KEY AUTOINCREMENT,
        time               TEXT NOT NULL,           -- ISO 8601, when it was decided
        netuid             INTEGER NOT NULL,
        hotkey             TEXT NOT NULL,
        mode               TEXT NOT NULL,           -- 'plain', 'commit-reveal' or 'timelocked'
        block              INTEGER NOT NULL,        -- the head when it was decided
        uids               TEXT NOT NULL,           -- JSON array of u16
        weights            TEXT NOT NULL,           -- JSON array of u16, as sent
        version_key        TEXT NOT NULL,           -- u64, decimal
        salt               TEXT,                    -- JSON array of u16 (commit-reveal v2)
        commit_hash        TEXT,                    -- hex (commit-reveal v2)
        reveal_round       TEXT,                    -- drand round, decimal (timelocked)
        first_reveal_block INTEGER,
        last_reveal_block  INTEGER,
        extrinsic          TEXT,                    -- tx hash of set_weights / the commit
        included_block     INTEGER,
        reveal_extrinsic   TEXT,                    -- tx hash of reveal_weights
        reveal_block       INTEGER,                 -- where the reveal landed (or the chain revealed)
        state              TEXT NOT NULL,           -- submitted, included, failed, committed, revealed, reveal_missing
        error              TEXT
      ) STRICT;
      CREATE INDEX weight_submissions_neuron ON weight_submissions (netuid, hotkey, id);
    `,
  },
  {
    version: 7,
    name: 'validator rounds, answers and moving-average scores',
    sql: `
      CREATE TABLE validator_rounds (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        scope           TEXT NOT NULL,              -- '<validator hotkey>@<netuid>': one validator's rounds
        started         TEXT NOT NULL,              -- ISO 8601
        block           INTEGER NOT NULL,
        prompt_id       TEXT NOT NULL,
        prompt          TEXT NOT NULL,
        prompt_source   TEXT NOT NULL,
        reference_name  TEXT,                       -- the reference clip's name, NULL without one
        profile         TEXT NOT NULL,              -- the scoring profile
        duration_tokens INTEGER NOT NULL,
        timeout_seconds REAL NOT NULL,
        uids            TEXT NOT NULL,              -- JSON array of the uids queried
        state           TEXT NOT NULL,              -- 'querying', 'scoring', 'done', 'interrupted', 'failed'
        ended           TEXT,
        error           TEXT
      ) STRICT;
      CREATE INDEX validator_rounds_scope ON validator_rounds (scope, id);
      CREATE TABLE validator_answers (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        round_id       INTEGER NOT NULL REFERENCES validator_rounds (id) ON DELETE CASCADE,
        time           TEXT NOT NULL,               -- ISO 8601, when the answer (or the failure) came back
        uid            INTEGER NOT NULL,
        hotkey         TEXT NOT NULL,
        status_code    INTEGER,
        status_message TEXT,
        route          TEXT,                        -- 'sealed' or 'plaintext'
        elapsed_ms     REAL NOT NULL,
        failure        TEXT,                        -- why there is no usable audio, NULL with audio
        samples        INTEGER NOT NULL DEFAULT 0,
        sample_rate    INTEGER,
        audio_bytes    INTEGER NOT NULL DEFAULT 0,
        wav_file       TEXT,                        -- relative to <data>/validator, NULL without audio
        metrics        TEXT,                        -- JSON: raw metrics, duplicate, rejection, errors
        judgement      TEXT,                        -- JSON: what the moving average did
        score_before   REAL,
        score_after    REAL
      ) STRICT;
      CREATE INDEX validator_answers_round ON validator_answers (round_id);
      CREATE INDEX validator_answers_uid ON validator_answers (uid, id);
      CREATE TABLE validator_scores (
        scope   TEXT NOT NULL,
        uid     INTEGER NOT NULL,
        hotkey  TEXT NOT NULL,                      -- a new hotkey on the uid starts again from 0
        score   REAL NOT NULL,
        updated TEXT NOT NULL,
        PRIMARY KEY (scope, uid)
      ) STRICT;
    `,
  },
  {
    // Issue #12: the round's reference clip as a WAV beside its answers, so the page can play both.
    version: 8,
    name: 'validator round reference clips',
    sql: `
      ALTER TABLE validator_rounds ADD COLUMN reference_wav_file TEXT; -- relative to <data>/validator, NULL without one
    `,
  },
  {
    // Issue #12: the validator records its own snapshots, with its dividends and permit (NULL in
    // the miner's rows and in every row written before this version); `role` keeps the two apart.
    version: 9,
    name: 'rewards: validator snapshots with dividends and permit',
    sql: `
      ALTER TABLE rewards ADD COLUMN role TEXT NOT NULL DEFAULT 'miner';  -- 'miner' or 'validator'
      ALTER TABLE rewards ADD COLUMN dividends REAL;                      -- 0 … 1
      ALTER TABLE rewards ADD COLUMN validator_permit INTEGER;            -- 0 / 1
      CREATE INDEX rewards_role ON rewards (role, netuid, hotkey, id);
    `,
  },
  {
    // Issue #12: the miner's charts of immunity left and of emission in TAO; NULL where not
    // recorded (rows before this version, the validator's) or where the chain gives no price.
    version: 10,
    name: 'rewards: immunity left and alpha price',
    sql: `
      ALTER TABLE rewards ADD COLUMN immunity_blocks_left INTEGER;
      ALTER TABLE rewards ADD COLUMN alpha_price TEXT;  -- TAO rao per 1 alpha, decimal string
    `,
  },
];
