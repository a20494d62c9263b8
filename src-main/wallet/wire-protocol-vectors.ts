/**
 * The wallet test vectors of wire-protocol §10 (TV-8 … TV-13), copied from the spec once so that
 * every test cites the same values. Test-only data: nothing in the app imports it.
 */

/** TV-8: SS58 of Alice's public key. */
export const TV8 = {
  publicKey: '0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d',
  checksum: '1d21',
  ss58Address: '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY',
} as const;

/** TV-9: key material of one mnemonic (btwallet's own unit-test constants). */
export const TV9 = {
  mnemonic: 'old leopard transfer rib spatial phone calm indicate online fire caution review',
  secretSeed: '0xda3cf5b1e9144931a0f0db65664aab662673b099415a7f8121b7245fb0be4143',
  publicKey: '0xe4359ad3e2716c539a1d663ebd0a51bdc5c98a12e663bb4c4402db47828c9446',
  ss58Address: '5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX',
  /** Keyfile form: canonical scalar ‖ nonce. */
  privateKey:
    '0x1f1995bdf3a17b60626a26cfe6f564b337d46056b7a1281b64c649d592ccda0a9cffd34d9fb01cae1fba61aeed184c817442a2186d5172416729a4b54dd4b84e',
  /** polkadot-js / @scure form: scalar × 8 ‖ nonce. */
  secretKey:
    '0xf8c8a8ec9d0fdd031353337936af279bbda106b3ba0d45d920334eaa9664d6569cffd34d9fb01cae1fba61aeed184c817442a2186d5172416729a4b54dd4b84e',
} as const;

/** The password of TV-10 … TV-13. */
export const TV_PASSWORD = 'thisisafakepassword';

/** TV-10: a `$NACL` key file with the nonce 00 01 … 17. */
export const TV10 = {
  password: TV_PASSWORD,
  salt: '137183dff15a09bc9c90b5518739e9b1',
  /** Argon2i(ops 8, mem 512 MiB) of the password. */
  key: 'a17c46ecafdd501ecb1da0651d35abfecf60df14bffa8e949f58aaecd75cb3c8',
  nonce: Uint8Array.from({ length: 24 }, (_, i) => i),
  /** The Python-7-style JSON of TV-9, 564 bytes. */
  plaintext:
    '{"accountId": "0xe4359ad3e2716c539a1d663ebd0a51bdc5c98a12e663bb4c4402db47828c9446", "publicKey": "0xe4359ad3e2716c539a1d663ebd0a51bdc5c98a12e663bb4c4402db47828c9446", "privateKey": "0x1f1995bdf3a17b60626a26cfe6f564b337d46056b7a1281b64c649d592ccda0a9cffd34d9fb01cae1fba61aeed184c817442a2186d5172416729a4b54dd4b84e", "secretPhrase": "old leopard transfer rib spatial phone calm indicate online fire caution review", "secretSeed": "0xda3cf5b1e9144931a0f0db65664aab662673b099415a7f8121b7245fb0be4143", "ss58Address": "5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX"}',
  plaintextSha256: 'fef2f185fe03040d322dc1a77357d756d68293a6f77f8289ecaaa1c8f334fcfb',
  fileLength: 609,
  fileSha256: 'f509ef3bf3d3024c5eadf057cee1a90255fd5ca52d512f160762305bb57f0093',
  first64Hex:
    '244e41434c000102030405060708090a0b0c0d0e0f1011121314151617851d892478bdfb0ed0c7c02c980a661ea818896fc58b9615756ca8f833ac3fcb356b2a',
  fileBase64:
    'JE5BQ0wAAQIDBAUGBwgJCgsMDQ4PEBESExQVFheFHYkkeL37DtDHwCyYCmYeqBiJb8WLlhV1bKj4M6w/yzVrKmFaIdEMCHbY4+gLX+RQ90in9BbhS8dBIKZFYCGcBB+NyV/K47Yigwcmp8sDO0x75DFZMbVW6iZxdk0JBn5uKwoh3sVHXQQ8j+HXQG3QWKXx5n8C0ICYH4ttWEOdgRf8eLpvaBdQXnJ3Dk1D0kAR4Zy97CmRCcEFOLVTBzOhaWYBDqHJL8N51FbpvjwvhnHlRWqugzOlThxfFBN+KM7bxb7wn2OQiPhxOBz6T4Ty3c6V6EpOIpxTtnp9s9bfSnFApiic4g0yecZULgKlNgWYCZLR20HWzFUiDf1iTKZgmvidwxNeadqYHp05IidA8ANdNmU4bH6vZcl6OeOSZQFiuP35Ds2SR/5KgP3FXz0WSXTCx/kH61RH79md4/+kVYo7eOi8CO/92M82e8ahnrBMWjM1qRwlLWHCeaPx7cfVDZcGeJBfT8k9elzar+9j44Po2+2vhd7vCDmh+ucy0spUWNAW0OyKTYk41C3Bk+NmxaMGhJjpHjgSl9zg4TlquacQaFa2j4YW8vU+SKThzccspkqwrMHt/p0Jp/KoC1n/EiBPvWbp0WfAGX9aMe/GxS0DNg6ZtR6k7RoY5fikv2Dfo5qzNiUV7ruBIYzzhuEE1Yd/7K9AjiRCvzuyd5B2HOqpjHKum/6mA5zfM4VS534fieZAxXDCvea/8YWm0xRc9zXIRv4BfvGgweXCyM0FVbNCAq0MMk6UfELK8CMIXzGe8bWr',
} as const;

/** The plaintext of TV-11 and TV-12. */
export const TV_LEGACY_PLAINTEXT =
  '{"secretSeed": "0xda3cf5b1e9144931a0f0db65664aab662673b099415a7f8121b7245fb0be4143"}';

/** TV-11: Ansible Vault 1.1 with salt 00..1f (opened by the real `ansible-vault view`). */
export const TV11 = {
  password: TV_PASSWORD,
  plaintext: TV_LEGACY_PLAINTEXT,
  file: [
    '$ANSIBLE_VAULT;1.1;AES256',
    '30303031303230333034303530363037303830393061306230633064306530663130313131323133',
    '3134313531363137313831393161316231633164316531660a366339616536613735313038356166',
    '35363666343138336332636666363039306365356161623533343037366436313934323239663237',
    '3832336339326232360a336363363735323664666466643030366233373233396132666165313465',
    '39393364663636363632616131313439666464386232663632656637303534643132346434623531',
    '39666262656561663038343465646137373036393465396232663939303336653536613533643864',
    '64613765396639346363633038643666666130306530376234633664343432343362643361313533',
    '38313535343866383632663931333161346230646232333463346132386166363133623566366232',
    '3132',
  ].join('\n'),
} as const;

/** TV-12: a Fernet token made at time 1700000000 with a zero IV. */
export const TV12 = {
  password: TV_PASSWORD,
  plaintext: TV_LEGACY_PLAINTEXT,
  fernetKey: '4DiROv-QqItONUqzP4YrhHXxSHgHPMFUuyufUYNBcMA=',
  token:
    'gAAAAABlU_EAAAAAAAAAAAAAAAAAAAAAAKeAJJUSX_qhfod928NMwU6rzSbgPSxSkpcJ-ZBI_rcnCl-V3ktZJ3ocGXivQx7Rcac-IahNSbQE1lmjiWtBSsbC6hb2g20H_qapTHgLuxZaIWoh02PF0z3T_cahcAEZqZtMaOSbhG-XpVG0RQslhKrlRi3QR20uBK3b_nk7j-VE',
} as const;

/** TV-13: the password environment variable. */
export const TV13 = {
  keyfilePath: '/home/alice/.bittensor/wallets/default/coldkey',
  varName: 'BT_PW__HOME_ALICE__BITTENSOR_WALLETS_DEFAULT_COLDKEY',
  password: TV_PASSWORD,
  value: 'Njw2Iz4sPi4uJiAvID86NCotOw==',
} as const;
