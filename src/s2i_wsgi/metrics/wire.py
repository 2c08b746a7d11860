"""mod_wsgi 6's telemetry datagrams, decoded (stdlib only).

Every daemon process sends one datagram per interval (`--telemetry-interval`, 1 s) to the UNIX
socket named by WSGITelemetryService, plus one when it starts or stops and, with
WSGISlowRequests, one per slow request. The layout is mod_wsgi's src/server/wsgi_telemetry.h as
mod-wsgi-telemetry 1.1.0 (mod_wsgi/telemetry/wire.py, by mod_wsgi's author) mirrors it:

  a 24-byte little-endian header: magic b"WSGI", version u8, kind u8, flags u16, pid u32,
  seq u32 (per process, to see drops), stamp f64 (seconds since the epoch);
  then TLV records: id u16, type u8, [length u16 for bytes and arrays], value.

Only the fields /metrics uses are named here; others are skipped by their type, so a newer
mod_wsgi that adds fields still decodes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

MAGIC = b"WSGI"

REQUEST = 2  # the periodic sample: counts, times, histograms, per-thread figures
SLOW_REQUEST = 4
PROCESS_STARTED = 5
PROCESS_STOPPING = 6
PROCESS_STOPPED = 7

# Field ids (wsgi_telemetry.h; append-only since mod_wsgi 6.0).
FIELDS = {
    6: "process_group",
    10: "sample_period",
    20: "request_count",
    22: "capacity_utilization",
    32: "cpu_utilization",
    40: "memory_rss",
    50: "request_threads_maximum",
    60: "server_time",
    61: "queue_time",
    62: "daemon_time",
    63: "application_time",
    64: "request_time",
    90: "server_time_buckets",
    91: "queue_time_buckets",
    92: "daemon_time_buckets",
    93: "application_time_buckets",
    94: "request_time_buckets",
    111: "request_threads_busy_time",
    113: "request_threads_current_elapsed",
    120: "status_1xx_total",
    121: "status_2xx_total",
    122: "status_3xx_total",
    123: "status_4xx_total",
    124: "status_5xx_total",
    130: "shutdown_reason",
    200: "slow_record_state",
    202: "slow_duration",
    204: "slow_log_id",
    210: "slow_method",
    213: "slow_script_name",
    214: "slow_path_info",
    220: "slow_server_time",
    221: "slow_queue_time",
    223: "slow_application_time",
    240: "slow_status",
}
IDS = {name: number for number, name in FIELDS.items()}

U64, F64, I64, BYTES, I32_ARRAY, F64_ARRAY = 1, 2, 3, 4, 5, 6

_HEADER = struct.Struct("<4sBBHIId")
_TLV = struct.Struct("<HB")
_LENGTH = struct.Struct("<H")
_SCALARS = {U64: struct.Struct("<Q"), F64: struct.Struct("<d"), I64: struct.Struct("<q")}
_ARRAYS = {I32_ARRAY: "i", F64_ARRAY: "d"}


class DecodeError(ValueError):
    pass


@dataclass
class Sample:
    kind: int
    pid: int
    seq: int
    stamp: float
    fields: dict[str, object] = field(default_factory=dict)


def decode(data: bytes) -> Sample:
    if len(data) < _HEADER.size:
        raise DecodeError(f"datagram too short: {len(data)} bytes")
    magic, _version, kind, _flags, pid, seq, stamp = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise DecodeError(f"bad magic {magic!r}")
    sample = Sample(kind, pid, seq, stamp)
    offset = _HEADER.size
    try:
        while offset < len(data):
            number, kind_of_value = _TLV.unpack_from(data, offset)
            offset += _TLV.size
            value: object
            if kind_of_value in _SCALARS:
                (value,) = _SCALARS[kind_of_value].unpack_from(data, offset)
                offset += 8
            elif kind_of_value == BYTES:
                (length,) = _LENGTH.unpack_from(data, offset)
                offset += 2
                value = bytes(data[offset : offset + length]).decode("utf-8", "replace")
                offset += length
            elif kind_of_value in _ARRAYS:
                (length,) = _LENGTH.unpack_from(data, offset)
                offset += 2
                value = list(struct.unpack_from(f"<{length}{_ARRAYS[kind_of_value]}", data, offset))
                offset += length * struct.calcsize(_ARRAYS[kind_of_value])
            else:
                raise DecodeError(f"unknown type {kind_of_value} at offset {offset - 1}")
            name = FIELDS.get(number)
            if name is not None:
                sample.fields[name] = value
    except struct.error as error:
        raise DecodeError(f"truncated datagram: {error}") from error
    return sample


def encode(sample: Sample) -> bytes:
    """The datagram mod_wsgi would send for `sample` (for tests)."""
    out = bytearray(_HEADER.pack(MAGIC, 1, sample.kind, 0, sample.pid, sample.seq, sample.stamp))
    for name, value in sample.fields.items():
        number = IDS[name]
        if isinstance(value, str):
            data = value.encode()
            out += _TLV.pack(number, BYTES) + _LENGTH.pack(len(data)) + data
        elif isinstance(value, list):
            code = I32_ARRAY if all(isinstance(item, int) for item in value) else F64_ARRAY
            out += _TLV.pack(number, code) + _LENGTH.pack(len(value))
            out += struct.pack(f"<{len(value)}{_ARRAYS[code]}", *value)
        elif isinstance(value, float):
            out += _TLV.pack(number, F64) + _SCALARS[F64].pack(value)
        else:
            out += _TLV.pack(number, U64) + _SCALARS[U64].pack(int(value))
    return bytes(out)
