#!/usr/bin/env python3
# Writes the hand-made seeds of receiver/fuzz/corpus (ok-*, mal-<reason>-<N>*,
# wrap/ssrc/loss cases) in the fuzz input format of fuzz_input.h. Only needed
# to regenerate them; the seeds are committed. usage: make_seeds.py [DIR]
import os
import struct
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus')
def rtp(seq, ts, ssrc=0x1111, marker=0, ext=None, payload=b'', version=2, pad=None, csrc=0, rawext=None):
    b0 = (version << 6) | (0x20 if pad else 0) | (0x10 if (ext or rawext) else 0) | csrc
    h = struct.pack('>BBHII', b0, (0x80 if marker else 0) | 96, seq & 0xffff, ts, ssrc)
    h += b'\x11\x22\x33\x44' * csrc
    if ext:
        fno, idx, cnt, cap, snd = ext
        blk = bytes([0x17]) + struct.pack('>IHH', fno, idx, cnt) + bytes([0x27]) + struct.pack('>Q', cap) + bytes([0x37]) + struct.pack('>Q', snd) + b'\0'
        h += struct.pack('>HH', 0xBEDE, 7) + blk
    if rawext:
        h += rawext
    p = h + payload
    if pad:
        p += b'\0' * (pad - 1) + bytes([pad])
    return p
def rec(d, gap=1):
    return struct.pack('>HB', len(d), gap) + d
SPS = bytes([0x67, 0x42, 0x00, 0x1e, 0x95, 0xa8])
PPS = bytes([0x68, 0xce, 0x38, 0x80])
IDR = bytes([0x65, 0x88, 0x80, 0x40]) + bytes(range(1, 30))
P = bytes([0x41, 0x9a, 0x00, 0x33, 0x44, 0x55])
def stap(*nals):
    return bytes([0x78]) + b''.join(struct.pack('>H', len(n)) + n for n in nals)
def fus(nal, parts):
    body = nal[1:]; n = len(body); out = []; step = (n + parts - 1) // parts
    for i in range(parts):
        s = 0x80 if i == 0 else 0; e = 0x40 if i == parts - 1 else 0
        out.append(bytes([(nal[0] & 0xe0) | 28, s | e | (nal[0] & 0x1f)]) + body[i*step:(i+1)*step])
    return out
def frames_packets(ext=True, seq0=100, ssrc=0x1111, fno0=0):
    fr = [[stap(SPS, PPS)] + fus(IDR, 3), [P], fus(P, 2)]
    pk = []; seq = seq0
    for f, pays in enumerate(fr):
        for i, pay in enumerate(pays):
            e = (fno0 + f, i, len(pays), 10**9 + f * 33333333, 10**9 + f * 33333333 + 1000) if ext else None
            pk.append(rtp(seq, 3000 * f, ssrc, i == len(pays) - 1, e, pay)); seq += 1
    return pk
def write(name, recs):
    open(os.path.join(out, name), 'wb').write(b''.join(recs))
good = frames_packets()
write('ok-ext-3frames.bin', [rec(p) for p in good])
write('ok-noext-3frames.bin', [rec(p) for p in frames_packets(ext=False)])
v1 = bytearray(good[1]); v1[0] = (v1[0] & 0x3f) | 0x40
write('mal-bad-version-1.bin', [rec(good[0]), rec(bytes(v1)), rec(good[2])])
write('mal-truncated-2.bin', [rec(good[0][:5]), rec(b''), rec(good[0])])
# padding bit set, padding count 200 > the packet
write('mal-bad-padding-1.bin', [rec(bytes([0xa0]) + rtp(1, 0, payload=P)[1:-1] + bytes([200]))])
write('mal-bad-csrc-length-1.bin', [rec(bytes([0x8f]) + rtp(1, 0, payload=b'\x41\x9a')[1:])])
write('mal-bad-extension-length-1.bin', [rec(rtp(1, 0, rawext=struct.pack('>HH', 0xBEDE, 40), payload=P))])
write('mal-bogus-extension-element-1.bin', [rec(rtp(1, 0, rawext=struct.pack('>HH', 0xBEDE, 1) + bytes([0x17, 1, 2, 3]), payload=P))])
write('mal-empty-payload-1.bin', [rec(rtp(1, 0, payload=b'')), rec(rtp(2, 0, marker=1, payload=P))])
write('mal-missing-extension-1.bin', [rec(good[0]), rec(rtp(101, 0, 0x1111, 0, None, good[1][44:])), rec(good[1])] + [rec(p) for p in good[2:]])
mm = rtp(101, 0, 0x1111, 0, (0, 1, 9, 10**9, 10**9), fus(IDR, 3)[0])
write('mal-extension-mismatch-1.bin', [rec(good[0]), rec(mm)] + [rec(p) for p in good[1:]])
endonly = rtp(500, 0, 0x2222, 1, (0, 0, 1, 10**9, 10**9), fus(P, 2)[1])
write('mal-bad-h264-payload-1.bin', [rec(endonly)])
f = fus(IDR, 3)
twice = [rtp(600 + i, 0, 0x3333, i == 3, (0, i, 4, 10**9, 10**9), pay) for i, pay in enumerate([f[0], f[0], f[1], f[2]])]
write('mal-bad-h264-payload-1-fu-start-twice.bin', [rec(p) for p in twice])
fm = list(f); fm[1] = bytes([fm[1][0], (fm[1][1] & 0xe0) | 1]) + fm[1][2:]
mixed = [rtp(700 + i, 0, 0x4444, i == 2, (0, i, 3, 10**9, 10**9), pay) for i, pay in enumerate(fm)]
write('mal-bad-h264-payload-2-fu-mixed-types.bin', [rec(p) for p in mixed])
wrap = frames_packets(seq0=65533)
write('wrap-reorder-dup.bin', [rec(wrap[i]) for i in [0, 2, 1, 3, 3, 5, 4, 6, 6, 0]])
write('ssrc-change.bin', [rec(p) for p in frames_packets()] + [rec(p) for p in frames_packets(seq0=9000, ssrc=0x9999)] + [rec(good[0])])
write('loss-late.bin', [rec(p, 10) for i, p in enumerate(good) if i != 2] + [rec(good[2], 200)])
write('noext-loss-marker.bin', [rec(p) for i, p in enumerate(frames_packets(ext=False)) if i != 3])
