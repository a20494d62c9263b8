/**
 * The request/response vectors of wire-protocol §10 (TV-1 … TV-7), copied from the spec once so
 * every test cites the same values. Test-only data. (TV-8 … TV-13 live in wallet/wire-protocol-vectors.ts.)
 */

/** TV-1: SHA3-256 and Keccak-256 of the empty string. */
export const TV1 = {
  sha3_256Empty: 'a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a',
  keccak256Empty: 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
} as const;

/** TV-2: a synapse class with required_hash_fields. */
export const TV2 = {
  values: {
    prompt: "héllo 'world'",
    seed: 42,
    // 123456789012345678.0 in the spec: the nearest double, written as the shortest text that reads back.
    weights: [0.1, 1.0, 1e-5, 1.2345678901234568e17, -0.0],
    flags: { a: true, b: null },
  },
  texts: {
    prompt: "héllo 'world'",
    seed: '42',
    weights: '[0.1, 1.0, 1e-05, 1.2345678901234568e+17, -0.0]',
    flags: "{'a': True, 'b': None}",
  },
  fieldHashes: {
    prompt: '4c1e17b016082b83813ac371787899450bd6748a2e693bd57021a69f9a4ba8bb',
    seed: '4e169ddf479c8cd9b4c45e0284181730cb42df3a8be892a7f379bd690db1eafa',
    weights: '4863c3445001bc8a862f29186f97f1feb92277715f92557308e8808fc298ce98',
    flags: '8b00fcacff0961b8f7a40b9060f4c6d3e44f281a43def4c65e461011c2876f43',
  },
  bodyHash: 'dade62a687fdd5f02158fd1b3b8ae4653dc700a9f98bbc8311e6b60295e22af0',
} as const;

/** TV-3: the dendrite's signed message (//Alice to //Bob) and a verify vector. */
export const TV3 = {
  aliceUri: '//Alice',
  alice: '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY',
  alicePublicKey: '0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d',
  bobUri: '//Bob',
  bob: '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty',
  bobPublicKey: '0x8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48',
  nonce: 1717171717123456789n,
  uuid: '5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a',
  bodyHash: 'a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a',
  message:
    '1717171717123456789.5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY.5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty.5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a.a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a',
  signature:
    '0x9225bc71f57c1907272eb7d81e8336e9c15d128b05e28af54de6a9e37c75fa785ec1876824a03a78261ab74b9391516f160b445e53e4dd0a01a11959212d2b82',
} as const;

/** TV-4: the axon's 403 for TV-3's request, and the axon's own signature. */
export const TV4 = {
  axonUuid: '8f5e4a36-2b1d-11ef-9a3c-0242ac120002',
  axonNonce: 1717171718000000000n,
  axonMessage:
    '1717171718000000000.5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY.5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty.8f5e4a36-2b1d-11ef-9a3c-0242ac120002',
  axonSignature:
    '0x7efe55dee85134511b980786bcc9854f69a47449b979c9f7de75cfe17a8b2719d0fe1272e8acd45842713bc1724147df578dd4d0cf1d7fe4d0e7191a3fb35d85',
  status: 403,
  body: '{"message":"Forbidden. Key is blacklisted: Low stake."}',
  /** Header names in order; values that do not depend on time, peer or randomness. */
  headers: [
    ['name', 'MusicGeneration'],
    ['timeout', '200.0'],
    ['bt_header_axon_status_code', '403'],
    ['bt_header_axon_status_message', 'Forbidden. Key is blacklisted: Low stake.'],
    ['bt_header_axon_process_time', undefined],
    ['bt_header_axon_ip', '198.51.100.20'],
    ['bt_header_axon_port', '8091'],
    ['bt_header_axon_version', '10002000'],
    ['bt_header_axon_nonce', '1717171718000000000'],
    ['bt_header_axon_uuid', '8f5e4a36-2b1d-11ef-9a3c-0242ac120002'],
    ['bt_header_axon_hotkey', '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty'],
    ['bt_header_axon_signature', undefined],
    ['bt_header_dendrite_ip', undefined],
    ['bt_header_dendrite_port', undefined],
    ['bt_header_dendrite_version', '10002000'],
    ['bt_header_dendrite_nonce', '1717171717123456789'],
    ['bt_header_dendrite_uuid', '5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a'],
    ['bt_header_dendrite_hotkey', '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY'],
    [
      'bt_header_dendrite_signature',
      '0x9225bc71f57c1907272eb7d81e8336e9c15d128b05e28af54de6a9e37c75fa785ec1876824a03a78261ab74b9391516f160b445e53e4dd0a01a11959212d2b82',
    ],
    ['bt_header_input_obj_text_input', 'IiI='],
    ['header_size', undefined],
    ['total_size', undefined],
    ['computed_body_hash', 'a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a'],
  ] as [string, string | undefined][],
} as const;

/** TV-5: the full SN50 request as the Python dendrite sends it. */
export const TV5 = {
  url: 'http://198.51.100.20:8091/MusicGeneration',
  axon: { ip: '198.51.100.20', port: 8091, hotkey: TV3.bob },
  dendriteIp: '203.0.113.7',
  version: 10002000,
  timeoutSeconds: 200,
  textInput: 'Lo-fi hip hop beat with mellow piano and soft rain',
  duration: 755,
  headers: [
    ['name', 'MusicGeneration'],
    ['timeout', '200.0'],
    ['bt_header_axon_ip', '198.51.100.20'],
    ['bt_header_axon_port', '8091'],
    ['bt_header_axon_hotkey', '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty'],
    ['bt_header_dendrite_ip', '203.0.113.7'],
    ['bt_header_dendrite_version', '10002000'],
    ['bt_header_dendrite_nonce', '1717171717123456789'],
    ['bt_header_dendrite_uuid', '5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a'],
    ['bt_header_dendrite_hotkey', '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY'],
    [
      'bt_header_dendrite_signature',
      '0x9225bc71f57c1907272eb7d81e8336e9c15d128b05e28af54de6a9e37c75fa785ec1876824a03a78261ab74b9391516f160b445e53e4dd0a01a11959212d2b82',
    ],
    ['bt_header_input_obj_text_input', 'IiI='],
    ['header_size', '464'],
    ['total_size', '3506'],
    ['computed_body_hash', 'a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a'],
  ] as [string, string][],
  body: '{"name": "MusicGeneration", "timeout": 200.0, "total_size": 3506, "header_size": 0, "dendrite": {"status_code": null, "status_message": null, "process_time": null, "ip": "203.0.113.7", "port": null, "version": 10002000, "nonce": 1717171717123456789, "uuid": "5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a", "hotkey": "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", "signature": "0x9225bc71f57c1907272eb7d81e8336e9c15d128b05e28af54de6a9e37c75fa785ec1876824a03a78261ab74b9391516f160b445e53e4dd0a01a11959212d2b82"}, "axon": {"status_code": null, "status_message": null, "process_time": null, "ip": "198.51.100.20", "port": 8091, "version": null, "nonce": null, "uuid": null, "hotkey": "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty", "signature": null}, "computed_body_hash": "", "text_input": "Lo-fi hip hop beat with mellow piano and soft rain", "model_name": "facebook/musicgen-medium", "music_output": null, "duration": 755}',
} as const;

/** TV-6: the success response a Python axon builds for TV-5. */
export const TV6 = {
  musicOutput: [0.0, -0.000030517578125, 0.5, 1e-5, 0.10000000149011612],
  processTime: 12.5,
  body: '{"name":"MusicGeneration","timeout":200.0,"total_size":3506,"header_size":0,"dendrite":{"status_code":null,"status_message":null,"process_time":null,"ip":"203.0.113.7","port":null,"version":10002000,"nonce":1717171717123456789,"uuid":"5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a","hotkey":"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY","signature":"0x9225bc71f57c1907272eb7d81e8336e9c15d128b05e28af54de6a9e37c75fa785ec1876824a03a78261ab74b9391516f160b445e53e4dd0a01a11959212d2b82"},"axon":{"status_code":200,"status_message":"Success","process_time":12.5,"ip":"198.51.100.20","port":8091,"version":null,"nonce":null,"uuid":null,"hotkey":"5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty","signature":null},"computed_body_hash":"","text_input":"Lo-fi hip hop beat with mellow piano and soft rain","model_name":"facebook/musicgen-medium","music_output":[0.0,-3.0517578125e-05,0.5,1e-05,0.10000000149011612],"duration":755}',
  /** Header names in order (values that vary are undefined). */
  headers: [
    ['name', 'MusicGeneration'],
    ['timeout', '200.0'],
    ['bt_header_axon_status_code', '200'],
    ['bt_header_axon_status_message', 'Success'],
    ['bt_header_axon_process_time', '12.5'],
    ['bt_header_axon_ip', '198.51.100.20'],
    ['bt_header_axon_port', '8091'],
    ['bt_header_axon_hotkey', '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty'],
    ['bt_header_dendrite_ip', '203.0.113.7'],
    ['bt_header_dendrite_version', '10002000'],
    ['bt_header_dendrite_nonce', '1717171717123456789'],
    ['bt_header_dendrite_uuid', '5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a'],
    ['bt_header_dendrite_hotkey', '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY'],
    [
      'bt_header_dendrite_signature',
      '0x9225bc71f57c1907272eb7d81e8336e9c15d128b05e28af54de6a9e37c75fa785ec1876824a03a78261ab74b9391516f160b445e53e4dd0a01a11959212d2b82',
    ],
    ['bt_header_input_obj_text_input', 'IiI='],
    ['header_size', undefined],
    ['total_size', undefined],
    ['computed_body_hash', 'a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a'],
  ] as [string, string | undefined][],
} as const;

/** TV-7: on-chain IP integers (decoding is chain/ip.ts; the dendrite builds URLs from the text). */
export const TV7 = {
  ipv4: { text: '198.51.100.20', ip: 3325256724n },
  ipv6: { text: '2001:db8::1', ip: 42540766411282592856903984951653826561n },
  loopbackV6: { ip: 1n, decodesAs: '0.0.0.1' },
} as const;
