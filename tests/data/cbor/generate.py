#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the CBOR conformance frames in messages/: y_*.cbor must deserialize
(and re-serialize to an equal message), n_*.cbor must be refused as a protocol
violation. Well-formed values come from cbor2 (what AutobahnPython uses);
everything cbor2 would not write (indefinite lengths, half floats, tags,
malformed heads) is spelled out byte by byte.

Run with /usr/bin/python3 (python3-cbor2) from anywhere; it rewrites the
directory's *.cbor files, so a diff shows what changed."""

import os
import struct
import sys

import cbor2

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'messages')

INT64_MIN = -2**63
INT64_MAX = 2**63 - 1
UINT64_MAX = 2**64 - 1
ID_MAX = 2**53

BREAK = b'\xff'
SELF_DESCRIBE = b'\xd9\xd9\xf7'


def enc(value):
    """One well-formed item as cbor2 writes it (definite lengths, floats as
    float64 except NaN)."""
    return cbor2.dumps(value)


def head(major, arg):
    """A head in its shortest form."""
    if arg < 24:
        return bytes([major << 5 | arg])
    for ai, fmt in ((24, '>B'), (25, '>H'), (26, '>I'), (27, '>Q')):
        if arg < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | ai]) + struct.pack(fmt, arg)
    raise ValueError(arg)


def array(*items):
    """A definite array of already encoded items."""
    return head(4, len(items)) + b''.join(items)


def indef_array(*items):
    return b'\x9f' + b''.join(items) + BREAK


def msg(*elements):
    """A message whose elements are Python values."""
    return enc(list(elements))


def frame(*items):
    """A message whose elements are already encoded items."""
    return array(*items)


def text(s):
    data = s.encode('utf-8') if isinstance(s, str) else s
    return head(3, len(data)) + data


def nested_lists(depth):
    """@depth lists, each holding the next, the innermost empty."""
    return b'\x81' * (depth - 1) + b'\x80'


def nested_dicts(depth):
    """@depth maps, each {"a": next}, the innermost empty."""
    return (b'\xa1' + text('a')) * (depth - 1) + b'\xa0'


def half(bits):
    return b'\xf9' + struct.pack('>H', bits)


def single(bits):
    return b'\xfa' + struct.pack('>I', bits)


def double_bits(bits):
    return b'\xfb' + struct.pack('>Q', bits)


PUB = (enc(16), enc(1), enc({}), enc('com.example.topic'))


def publish_args(*args):
    """PUBLISH whose Arguments list holds already encoded items."""
    return frame(*PUB, array(*args))


VALID = {
    # Every message type, as AutobahnPython sends them.
    'hello': msg(1, 'realm1', {'roles': {'publisher': {}, 'subscriber': {}}}),
    'welcome': msg(2, 9129137332, {'roles': {'broker': {}}}),
    'abort': msg(3, {}, 'wamp.error.no_such_realm'),
    'abort_with_payload': msg(3, {'message': 'no'}, 'wamp.error.no_such_realm', ['why'], {'k': 1}),
    'challenge': msg(4, 'wampcra', {'challenge': '{"nonce": "x"}'}),
    'authenticate': msg(5, 'c2lnbmF0dXJl', {}),
    'goodbye': msg(6, {}, 'wamp.close.close_realm'),
    'error_subscribe': msg(8, 32, 713845233, {}, 'wamp.error.not_authorized'),
    'error_call_with_payload': msg(8, 48, 7, {}, 'com.myapp.error', ['a', 2], {'x': None}),
    'publish': msg(16, 239714735, {}, 'com.myapp.mytopic1'),
    'publish_args': msg(16, 239714735, {'acknowledge': True}, 'com.myapp.mytopic1', ['Hello, world!']),
    'publish_kwargs_only': msg(16, 239714735, {}, 'com.myapp.mytopic1', [], {'color': 'orange', 'sizes': [23, 42, 7]}),
    'published': msg(17, 239714735, 4429313566),
    'subscribe': msg(32, 713845233, {}, 'com.myapp.mytopic1'),
    'subscribed': msg(33, 713845233, 5512315355),
    'unsubscribe': msg(34, 85346237, 5512315355),
    'unsubscribed': msg(35, 85346237),
    'unsubscribed_with_details': msg(35, 0, {'subscription': 5512315355, 'reason': 'wamp.close.x'}),
    'event': msg(36, 5512315355, 4429313566, {}),
    'event_args_kwargs': msg(36, 5512315355, 4429313566, {}, ['Hello, world!'], {'color': 'orange'}),
    'call': msg(48, 7814135, {}, 'com.myapp.ping'),
    'call_args': msg(48, 7814135, {}, 'com.myapp.echo', ['Hello, world!']),
    'cancel': msg(49, 7814135, {'mode': 'kill'}),
    'result': msg(50, 7814135, {}, [30]),
    'result_empty_payload': msg(50, 7814135, {}),
    'result_kwargs_only': msg(50, 7814135, {}, [], {'userid': 123, 'karma': 10}),
    'register': msg(64, 25349185, {}, 'com.myapp.myprocedure1'),
    'registered': msg(65, 25349185, 2103333224),
    'unregister': msg(66, 788923562, 2103333224),
    'unregistered': msg(67, 788923562),
    'invocation': msg(68, 6131533, 9823526, {}, ['Hello, world!'], {'a': 1}),
    'interrupt': msg(69, 6131533, {'mode': 'killnowait'}),
    'yield': msg(70, 6131533, {}, ['result']),

    # Integers: bounds of int64 and uint64, every head width, IDs up to 2^53.
    'ints_at_bounds': msg(16, 1, {}, 't', [INT64_MIN, INT64_MIN + 1, -2**32 - 1, -2**32, -65537,
                                          -257, -25, -24, -1, 0, 23, 24, 255, 256, 65535, 65536,
                                          2**32 - 1, 2**32, INT64_MAX, INT64_MAX + 1, UINT64_MAX]),
    'ids_2_53': msg(17, ID_MAX, ID_MAX),
    'ids_zero': msg(33, 0, 0),
    # Heads longer than needed are well-formed (RFC 8949 preferred
    # serialization is a SHOULD): request id 1 in eight bytes.
    'non_shortest_heads': frame(b'\x18\x10', b'\x1b' + struct.pack('>Q', 1), b'\xb8\x00',
                                b'\x7a\x00\x00\x00\x01' + b't'),

    # Floats: float64 as cbor2 writes it, half and single from other peers.
    'floats_double': msg(16, 1, {}, 't', [-0.0, 0.0, 1.0, 0.1, -2.5, 1e308, 5e-324,
                                          2.2250738585072014e-308, 9007199254740992.0,
                                          float('inf'), float('-inf')]),
    'floats_half': publish_args(half(0x3c00), half(0x8000), half(0x0000), half(0x7c00),
                                half(0xfc00), half(0x7e00), half(0x0001), half(0x7bff),
                                half(0x3555), half(0xc000)),
    'floats_single': publish_args(single(0x3fc00000), single(0x80000000), single(0x7f800000),
                                  single(0x7fc00000), single(0x00000001), single(0x7f7fffff)),
    'float_nan_double': publish_args(double_bits(0x7ff8000000000000),
                                     double_bits(0x7ff0000000000001),
                                     double_bits(0xfff8000000000123)),

    # Strings: any Unicode, NUL anywhere (CBOR carries it as is).
    'unicode_strings': msg(16, 1, {}, 't', ['', 'a', 'caf\u00e9', '\u20ac', '\U0001f600',
                                            '\u2028\u2029', '\uffff', '\U0010ffff',
                                            '\u65e5\u672c\u8a9e', 'a\x00b', '\x00abc', '\x00',
                                            '\x01\x1f\x7f"\\']),
    'binary': msg(16, 1, {}, 't', [b'', b'\x00', b'\x00\x01\x02\xff', bytes(range(256))]),
    'simple_values': msg(16, 1, {'acknowledge': False}, 't', [True, False, None]),
    'undefined_is_null': publish_args(b'\xf7', b'\xf6'),

    # Containers.
    'empty_and_nested_containers': msg(16, 1, {}, 't', [[], {}, [[]], [{}], {'a': []},
                                                        {'a': {}}, [[], {}, [[{}]]]],
                                       {'': None, 'k\x00ey': 1, 'caf\u00e9': {'x': [1, [2, {}]]}}),
    'duplicate_key_last_wins': frame(enc(32), enc(1), b'\xa2' + text('match') + text('exact') +
                                     text('match') + text('prefix'), enc('com.example')),
    'nesting_32': publish_args(nested_lists(30)),
    'nesting_32_in_details': frame(enc(32), enc(1), nested_dicts(31), enc('t')),
    'nesting_32_indefinite': publish_args(b'\x9f' * 30 + BREAK * 30),

    # Indefinite lengths: accepted (bounded like everything else).
    'indefinite_message': indef_array(enc(16), enc(1), enc({}), enc('t'), enc([1, 2])),
    'indefinite_args_and_kwargs': frame(*PUB, indef_array(enc(1), enc('two'), indef_array()),
                                        b'\xbf' + text('a') + enc(1) + text('b') +
                                        indef_array(enc(None)) + BREAK),
    'indefinite_details': frame(enc(32), enc(1), b'\xbf' + text('match') + text('prefix') + BREAK,
                                enc('t')),
    'indefinite_strings': publish_args(b'\x7f' + text('ab') + text('') + text('\u20ac') + BREAK,
                                       b'\x5f' + b'\x42\x00\x01' + b'\x41\xff' + BREAK,
                                       b'\x7f' + BREAK, b'\x5f' + BREAK),
    'indefinite_string_key': frame(*PUB, array(), b'\xa1' + b'\x7f' + text('ke') + text('y') + BREAK
                                   + enc(1)),
    'indefinite_uri': frame(enc(32), enc(1), enc({}), b'\x7f' + text('com.') + text('example') + BREAK),

    # Tags: self-describe is ignored, bignums that fit 64 bits are integers.
    'self_describe_frame': SELF_DESCRIBE + msg(17, 1, 2),
    'self_describe_twice': SELF_DESCRIBE + SELF_DESCRIBE + msg(17, 1, 2),
    'self_describe_in_payload': frame(*PUB, SELF_DESCRIBE + array(SELF_DESCRIBE + enc(1)),
                                      SELF_DESCRIBE + enc({'a': 1})),
    'bignums_in_range': publish_args(b'\xc2\x48' + b'\xff' * 8,
                                     b'\xc3\x48\x7f' + b'\xff' * 7,
                                     b'\xc2\x4a\x00\x00\x01' + b'\x00' * 7,
                                     b'\xc2\x40', b'\xc3\x40',
                                     b'\xc2\x5f\x41\x01\x41\x00' + BREAK),
    'bignum_id': frame(enc(17), b'\xc2\x47\x20' + b'\x00' * 6, enc(2)),
}

INVALID = {
    # Not a message.
    'empty': b'',
    'not_an_array': enc({'type': 16}),
    'string_frame': enc('hello'),
    'int_frame': enc(16),
    'empty_array': b'\x80',
    'empty_indefinite_array': b'\x9f\xff',
    'only_self_describe': SELF_DESCRIBE,
    'garbage': b'\x16\xff\x00\x01\x02',

    # Message type.
    'type_string': msg('16', 1, {}, 't'),
    'type_negative': msg(-16, 1, {}, 't'),
    'type_zero': msg(0, 1, {}, 't'),
    'type_unknown': msg(99, 1, {}, 't'),
    'type_huge': msg(UINT64_MAX, 1, {}, 't'),
    'type_double': msg(16.0, 1, {}, 't'),
    'type_half_float': frame(half(0x4c00), enc(1), enc({}), enc('t')),

    # Elements, checked as for every serializer.
    'hello_details_not_dict': msg(1, 'realm1', []),
    'hello_missing_details': msg(1, 'realm1'),
    'subscribe_topic_not_string': msg(32, 1, {}, 42),
    'topic_bytes': msg(32, 1, {}, b'com.example'),
    'id_above_2_53': msg(17, ID_MAX + 1, 1),
    'id_negative': msg(17, -1, 1),
    'id_negative_bignum': frame(enc(17), b'\xc3\x41\x00', enc(1)),
    'args_not_list': msg(16, 1, {}, 't', {'a': 1}),
    'args_string': msg(16, 1, {}, 't', 'a'),
    'kwargs_not_dict': msg(16, 1, {}, 't', [], []),
    'payload_on_subscribe': msg(32, 1, {}, 't', [1]),
    'publish_too_many_elements': msg(16, 1, {}, 't', [], {}, 1),
    'published_extra_element': msg(17, 1, 2, 3),
    'too_many_fields_before_payload': msg(1, 'realm1', {}, 1, 2, 3, 4, 5, 6, 7, 8, 9),

    # Trailing bytes and truncation.
    'trailing_byte': msg(17, 1, 2) + b'\x00',
    'trailing_break': msg(17, 1, 2) + BREAK,
    'two_messages': msg(17, 1, 2) + msg(17, 1, 2),
    'truncated_message_array': msg(17, 1, 2)[:-1],
    'truncated_count': b'\x84' + enc(16) + enc(1) + enc({}),
    'truncated_head': b'\x9f' + enc(17) + b'\x19\x01',
    'truncated_string': frame(*PUB)[:-3],
    'truncated_args': frame(*PUB, enc([1, 2, 3]))[:-1],
    'truncated_kwargs': frame(*PUB, enc([]), enc({'a': 'bc'}))[:-1],
    'truncated_double': publish_args(enc(1.5))[:-1],
    'truncated_bignum': publish_args(b'\xc2\x48' + b'\x01' * 8)[:-1],
    'unterminated_indefinite_message': b'\x9f' + enc(17) + enc(1) + enc(2),
    'unterminated_indefinite_args': frame(*PUB, b'\x9f' + enc(1)),
    'unterminated_indefinite_map': frame(*PUB, enc([]), b'\xbf' + text('a') + enc(1)),
    'unterminated_indefinite_string': frame(*PUB, array(b'\x7f' + text('ab'))),

    # Absurd claimed lengths: tiny frames, fast failure, no allocation.
    'claims_2_32_items': b'\x9a\xff\xff\xff\xff\x10',
    'claims_2_64_items': b'\x9b' + b'\xff' * 8,
    'claims_2_64_map_entries': b'\x83\x10\x01\xbb' + b'\xff' * 8,
    'args_claims_2_32_items': frame(*PUB, b'\x9a\xff\xff\xff\xff'),
    'args_claims_2_64_items': frame(*PUB, b'\x9b' + b'\xff' * 8),
    'kwargs_claims_2_32_entries': frame(*PUB, enc([]), b'\xba\xff\xff\xff\xff'),
    'string_claims_2_32_bytes': frame(enc(32), enc(1), enc({}), b'\x7a\xff\xff\xff\xff'),
    'string_claims_2_64_bytes': b'\x82\x10\x7b' + b'\xff' * 8,
    'bytes_claims_2_64_bytes': publish_args(b'\x5b' + b'\xff' * 8),
    'key_claims_2_32_bytes': frame(enc(32), enc(1), b'\xa1\x7a\xff\xff\xff\xff', enc('t')),
    'array_claims_one_more': frame(*PUB, b'\x83\x01\x02'),
    'map_claims_more_than_half_the_rest': frame(*PUB, enc([]), b'\xa3' + text('a') + enc(1)),
    'nested_claims': publish_args(b'\x9a\x7f\xff\xff\xff' * 20),

    # Nesting one over the limit of 32 (the message array counts).
    'nesting_33': publish_args(nested_lists(31)),
    'nesting_33_in_details': frame(enc(32), enc(1), nested_dicts(32), enc('t')),
    'nesting_33_in_kwargs': frame(*PUB, enc([]), nested_dicts(32)),
    'nesting_33_indefinite': publish_args(b'\x9f' * 31 + BREAK * 31),
    'nesting_deep_unterminated': publish_args(b'\x81' * 10000),

    # Map keys must be text strings.
    'key_int': frame(enc(32), enc(1), enc({1: 'a'}), enc('t')),
    'key_bytes': frame(enc(32), enc(1), enc({b'a': 1}), enc('t')),
    'key_array': frame(enc(32), enc(1), b'\xa1\x80\x01', enc('t')),
    'key_null': frame(enc(32), enc(1), b'\xa1\xf6\x01', enc('t')),
    'key_tagged_text': frame(enc(32), enc(1), b'\xa1' + SELF_DESCRIBE + text('a') + enc(1), enc('t')),
    'key_int_in_kwargs': frame(*PUB, enc([]), enc({'a': {2: 3}})),
    'key_float_in_args': publish_args(b'\xa1\xf9\x3c\x00\x01'),

    # Tags other than self-describe and in-range bignums.
    'tag_datetime_string': publish_args(b'\xc0' + text('2013-03-21T20:04:00Z')),
    'tag_epoch': publish_args(b'\xc1\x1a\x51\x4b\x67\xb0'),
    'tag_decimal_fraction': publish_args(b'\xc4\x82\x21\x19\x6a\xb3'),
    'tag_uri': frame(enc(32), enc(1), enc({}), b'\xd8\x20' + text('http://x')),
    'tag_huge': publish_args(b'\xdb' + b'\xff' * 8 + b'\x00'),
    'tag_without_content': frame(*PUB, b'\x81' + SELF_DESCRIBE),
    'bignum_above_uint64': publish_args(enc(2**64)),
    'bignum_negative_below_int64': publish_args(b'\xc3\x48\x80' + b'\x00' * 7),
    'bignum_not_bytes': publish_args(b'\xc2\x01'),
    'bignum_text': publish_args(b'\xc2\x61\x01'),
    'bignum_nested_tag': publish_args(b'\xc2\xc2\x41\x01'),
    'bignum_indefinite_text_chunk': publish_args(b'\xc2\x5f\x61\x01' + BREAK),

    # Integers and simple values WampValue has no room for.
    'negative_int_below_int64': publish_args(b'\x3b\x80' + b'\x00' * 7),
    'negative_int_min_head': publish_args(b'\x3b' + b'\xff' * 8),
    'simple_value_0': publish_args(b'\xe0'),
    'simple_value_19': publish_args(b'\xf3'),
    'simple_value_32': publish_args(b'\xf8\x20'),
    'simple_value_255': publish_args(b'\xf8\xff'),
    'simple_two_bytes_below_32': publish_args(b'\xf8\x14'),

    # Heads that are not well-formed.
    'reserved_ai_28': publish_args(b'\x1c'),
    'reserved_ai_29_text': publish_args(b'\x7d'),
    'reserved_ai_30_simple': publish_args(b'\xfe'),
    'indefinite_uint': publish_args(b'\x1f'),
    'indefinite_negint': publish_args(b'\x3f'),
    'indefinite_tag': publish_args(b'\xdf\x01'),
    'break_in_definite_array': publish_args(BREAK),
    'break_as_type': b'\x81\xff',
    'break_as_key': frame(*PUB, enc([]), b'\xa1\xff\x01'),
    'break_in_indefinite_map_value': frame(*PUB, enc([]), b'\xbf' + text('a') + BREAK),
    'indefinite_string_wrong_chunk': publish_args(b'\x7f' + b'\x41a' + BREAK),
    'indefinite_bytes_text_chunk': publish_args(b'\x5f' + text('a') + BREAK),
    'indefinite_string_nested_indefinite': publish_args(b'\x7f\x7f' + text('a') + BREAK + BREAK),
    'indefinite_string_int_chunk': publish_args(b'\x5f\x01' + BREAK),

    # Text strings must be valid UTF-8 (RFC 8949 3.1).
    'utf8_invalid_byte': frame(enc(32), enc(1), enc({}), text(b'\xff')),
    'utf8_continuation_alone': publish_args(text(b'a\x80b')),
    'utf8_overlong_nul': publish_args(text(b'\xc0\x80')),
    'utf8_overlong_3byte': publish_args(text(b'\xe0\x80\xaf')),
    'utf8_surrogate': publish_args(text(b'\xed\xa0\x80')),
    'utf8_above_10ffff': publish_args(text(b'\xf4\x90\x80\x80')),
    'utf8_5byte': publish_args(text(b'\xf8\x88\x80\x80\x80')),
    'utf8_truncated_sequence': publish_args(text(b'ab\xe2\x82')),
    'utf8_invalid_in_key': frame(enc(32), enc(1), b'\xa1' + text(b'\xc3') + enc(1), enc('t')),
    'utf8_invalid_in_uri': frame(enc(32), enc(1), enc({}), text(b'com.\xfe')),
    'utf8_invalid_in_kwargs': frame(*PUB, enc([]), b'\xa1' + text('a') + text(b'\xc3\x28')),
    'utf8_split_across_chunks': publish_args(b'\x7f' + text(b'\xe2\x82') + text(b'\xac') + BREAK),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name.endswith('.cbor'):
            os.unlink(os.path.join(OUT, name))
    for prefix, table in (('y_', VALID), ('n_', INVALID)):
        for name, data in table.items():
            with open(os.path.join(OUT, prefix + name + '.cbor'), 'wb') as f:
                f.write(data)
    # Sanity: every valid frame is well-formed CBOR to cbor2 too (it knows
    # tags 2/3/55799 and indefinite lengths) and decodes to a list.
    for name, data in VALID.items():
        value = cbor2.loads(data)
        if not isinstance(value, list) or not value:
            sys.exit('y_%s does not decode to a non-empty list: %r' % (name, value))
    print('wrote %d valid and %d invalid frames to %s' % (len(VALID), len(INVALID), OUT))


if __name__ == '__main__':
    main()
