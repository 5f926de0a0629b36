#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make_corpus.py AEKIT — write the seed corpora of the fuzz harnesses
(fuzz/corpus/NAME/): small valid files of every kind each reader takes,
made with the standard library alone (JPEG with Pillow); model files are
trained by AEKIT.
Each data seed starts with the options byte the harness reads first."""
import gzip, os, struct, subprocess, sys, tempfile, zlib

here = os.path.dirname(os.path.abspath(__file__))
aekit = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "build", "aekit")


def put(kind, name, data):
    d = os.path.join(here, "corpus", kind)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def idx(type_code, dims, body):
    return bytes([0, 0, type_code, len(dims)]) + b"".join(struct.pack(">I", x) for x in dims) + body


# IDX: each type, 1-d to 4-d, plain and gzip (byte 0: options)
u8 = bytes((i * 37) % 256 for i in range(2 * 4 * 4))
put("idx", "u8", b"\x00" + idx(0x08, [2, 4, 4], u8))
put("idx", "u8.gz", b"\x00" + gzip.compress(idx(0x08, [2, 4, 4], u8)))
put("idx", "u8-limit.gz", b"\x28" + gzip.compress(idx(0x08, [3, 2, 2], u8[:12])))
put("idx", "s8", b"\x00" + idx(0x09, [2, 3], bytes([0x80, 0xff, 0, 1, 0x7f, 5])))
put("idx", "i16", b"\x00" + idx(0x0B, [2, 2], struct.pack(">4h", -3, 2, 300, -400)))
put("idx", "i32", b"\x00" + idx(0x0C, [1, 3], struct.pack(">3i", 1, -2, 1 << 20)))
put("idx", "f32", b"\x00" + idx(0x0D, [2, 2], struct.pack(">4f", 0.5, -1.25, 3.0, 1e-3)))
put("idx", "f64.gz", b"\x00" + gzip.compress(idx(0x0E, [1, 2], struct.pack(">2d", 0.25, 2.0))))
put("idx", "4d", b"\x00" + idx(0x08, [1, 2, 2, 2], bytes(range(8))))
put("idx", "two-members.gz", b"\x00" + gzip.compress(idx(0x08, [2, 2], b"")) + gzip.compress(bytes(4)))

# labels: byte 0 = sample count - 1 (low 7 bits), first-n flag (top bit)
put("labels", "u8", b"\x03" + idx(0x08, [4], bytes([0, 9, 3, 1])))
put("labels", "u8-more.gz", b"\x81" + gzip.compress(idx(0x08, [5], bytes([1, 2, 3, 4, 5]))))
put("labels", "i32", b"\x01" + idx(0x0C, [2], struct.pack(">2i", -7, 70000)))
put("labels", "i16", b"\x01" + idx(0x0B, [2], struct.pack(">2h", -7, 700)))

# CSV: header yes/no/auto, a label column, a BOM, blank lines, CRLF
put("csv", "plain", b"\x01" + b"0,0.5,1\n1,2.5,-3\n")
put("csv", "header", b"\x02" + b"a,b,c\n1,2,3\n4,5,6\n")
put("csv", "label", b"\x31" + b"x,y,label\n0.1,0.2,3\n0.3,0.4,7\n")
put("csv", "bom-crlf", b"\x00" + b"\xef\xbb\xbf1,2\r\n\r\n3,4\r\n")
put("csv", "exp", b"\x01" + b"1e-3,-2E+2, 7 \n+5,.5,6.\n")
put("csv", "limit", b"\x29" + b"1\n2\n3\n4\n")
put("csv", "words", b"\x70" + b"0.1,0.2,setosa\n0.3,0.4,\"virginica\"\n0.5,0.6, setosa\n")


def npy(descr, shape, body, major=1):
    d = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    pre = 10 if major == 1 else 12
    hlen = (pre + len(d) + 1 + 63) // 64 * 64 - pre
    head = d.ljust(hlen - 1) + "\n"
    ln = struct.pack("<H", hlen) if major == 1 else struct.pack("<I", hlen)
    return b"\x93NUMPY" + bytes([major, 0]) + ln + head.encode() + body


put("npy", "f4", b"\x00" + npy("<f4", "(2, 3)", struct.pack("<6f", 0, 1, 2, 3, 4, 5)))
put("npy", "f8", b"\x00" + npy("<f8", "(2,)", struct.pack("<2d", 0.5, -0.5)))
put("npy", "u1-3d", b"\x00" + npy("|u1", "(1, 2, 2)", bytes([0, 64, 128, 255])))
put("npy", "i4-4d", b"\x00" + npy("<i4", "(1, 1, 2, 2)", struct.pack("<4i", 1, -1, 2, -2)))
put("npy", "v2", b"\x00" + npy("<f4", "(1, 2)", struct.pack("<2f", 1, 2), major=2))
put("npy", "be", b"\x00" + npy(">f4", "(1, 2)", struct.pack(">2f", 1, 2)))
put("npy", "i8-limit", b"\x28" + npy("<i8", "(3, 1)", struct.pack("<3q", 1, 2, 3)))

# NPZ: a zip of .npy members (numpy's savez and savez_compressed), with the
# labels beside the data (y for x), one array alone, a bad CRC, truncated
import io, zipfile


def npz(members, method=zipfile.ZIP_STORED):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", method) as z:
        for name, data in members:
            z.writestr(name, data)
    return b.getvalue()


xy = [("x.npy", npy("<f4", "(2, 3)", struct.pack("<6f", 0, 1, 2, 3, 4, 5))),
      ("y.npy", npy("<i8", "(2,)", struct.pack("<2q", 0, 1)))]
put("npz", "stored", b"\x00" + npz(xy))
put("npz", "deflated", b"\x00" + npz(xy, zipfile.ZIP_DEFLATED))
put("npz", "one", b"\x00" + npz([("arr_0.npy", npy("|u1", "(1, 2, 2)", bytes([0, 64, 128, 255])))]))
put("npz", "limit", b"\x28" + npz([("x_train.npy", npy("<f8", "(3, 1)", struct.pack("<3d", 1, 2, 3))),
                                    ("y_train.npy", npy("<i4", "(3,)", struct.pack("<3i", 4, 5, 6)))]))
bad = bytearray(npz(xy))
bad[bad.index(b"\x93NUMPY") + 20] ^= 1  # the data no longer matches its CRC
put("npz", "bad-crc", b"\x00" + bytes(bad))
put("npz", "truncated", b"\x00" + npz(xy, zipfile.ZIP_DEFLATED)[:-30])


def chunk(t, data):
    return struct.pack(">I", len(data)) + t + data + struct.pack(">I", zlib.crc32(t + data) & 0xffffffff)


def png(w, h, depth, ctype, rows, extra=b"", interlace=0):
    ihdr = struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, interlace)
    raw = b"".join(b"\x00" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


put("png", "gray8", b"\x00" + png(3, 2, 8, 0, [bytes([0, 128, 255]), bytes([10, 20, 30])]))
put("png", "gray16", b"\x00" + png(2, 1, 16, 0, [struct.pack(">2H", 0, 65535)]))
put("png", "gray1", b"\x00" + png(8, 1, 1, 0, [bytes([0xa5])]))
put("png", "rgb", b"\x00" + png(2, 1, 8, 2, [bytes([255, 0, 0, 0, 0, 255])]))
put("png", "rgba", b"\x00" + png(1, 1, 8, 6, [bytes([1, 2, 3, 4])]))
put("png", "palette", b"\x00" + png(2, 1, 8, 3, [bytes([0, 1])],
                                    chunk(b"PLTE", bytes([0, 0, 0, 255, 255, 255])) + chunk(b"tRNS", b"\x80")))
put("png", "graya-interlaced", b"\x00" + png(2, 2, 8, 4, [bytes([1, 255, 2, 255]), bytes([3, 0, 4, 0])],
                                             interlace=0))

# JPEG: colour (4:2:0 and 4:4:4), gray, progressive; made with Pillow (the
# one seed kind the standard library cannot write), left out without it
try:
    import io
    from PIL import Image

    def jpeg(mode, size, **kw):
        im = Image.new(mode, size)
        im.putdata([tuple((7 * i + 40 * c) % 256 for c in range(3)) if mode == "RGB" else (7 * i) % 256
                    for i in range(size[0] * size[1])])
        b = io.BytesIO()
        im.save(b, "JPEG", **kw)
        return b.getvalue()

    put("jpeg", "rgb420", b"\x00" + jpeg("RGB", (16, 8), quality=75))
    put("jpeg", "rgb444", b"\x00" + jpeg("RGB", (5, 3), quality=100, subsampling=0))
    put("jpeg", "gray", b"\x00" + jpeg("L", (8, 8), quality=90))
    put("jpeg", "progressive", b"\x00" + jpeg("RGB", (9, 9), quality=50, progressive=True))
except ImportError:
    print("make_corpus.py: no Pillow: the JPEG seeds are left as they are", file=sys.stderr)

# specs: byte 0 picks the input shape (1x8x8, 1x1x12, 2x4x4, 1x28x28)
specs = [
    (0, "dense"), (0, "deep"), (3, "conv"), (3, "conv-pool"), (3, "vae"), (3, "conv-vae"),
    (1, "dense:4:relu|dense:12:sigmoid;loss=bce"),
    (1, "dense:6:tanh,dense:2,sample|dense:12:identity;loss=mse;beta=0.5"),
    (0, "conv:2:3:stride=2:pad=1:leaky_relu:0.2,bn,flatten,dense:4|dense:32,reshape:2:4:4,"
        "convt:1:3:stride=2:pad=1:outpad=1:sigmoid;loss=mse"),
    (2, "conv:3:3:pad=1:relu,maxpool:2|upsample:2,conv:2:3:pad=1:sigmoid;loss=bce"),
    (1, "dense:5:sigmoid,dropout:0.2|dense:12:sigmoid;sparsity=0.05:3;l2=0.001"),
    (1, "dense:3:sigmoid;contractive=0.1"), (1, "dense:3:relu;l1=0.01"),
    (0, "lstm"), (0, "gru"), (0, "conv1d"),
    (0, "lstm:4:bi=1:out=last,dense:3|repeat:8,gru:4:bi=1,tdense:8;loss=mse"),
    (0, "conv1d:4:3:stride=2:pad=same:relu,maxpool1d:2,lstm:3|upsample1d:2,"
        "convt1d:8:3:stride=2:pad=1:outpad=1;loss=mse"),
]
for i, (shape, s) in enumerate(specs):
    put("spec", "s%02d" % i, bytes([shape]) + s.encode())

# models: small ones of each layer kind, trained one epoch by aekit
with tempfile.TemporaryDirectory() as t:
    four = os.path.join(t, "four.csv")
    with open(four, "w") as f:
        f.write("0.1,0.5,0.9,0.3\n0.8,0.5,0.2,0.7\n0.2,0.4,0.6,0.8\n0.9,0.1,0.3,0.5\n")
    img = os.path.join(t, "img.npy")
    with open(img, "wb") as f:
        f.write(npy("<f4", "(4, 1, 4, 4)", struct.pack("<64f", *[(i % 9) / 9 for i in range(64)])))
    models = [
        (four, "dense:2:relu"),
        (four, "dense:3:relu,dense:4,sample|dense:4:sigmoid"),
        (img, "conv:2:3:pad=1:relu,bn,maxpool:2,flatten,dense:3|dense:8,reshape:2:2:2,upsample:2,"
              "convt:1:3:pad=1:sigmoid"),
    ]
    series = os.path.join(t, "series.csv")  # windows of a series: the "series" metadata
    with open(series, "w") as f:
        f.write("time,a,b\n" + "".join("t%d,%g,%g\n" % (i, (i % 5) / 4, (i % 3) / 2) for i in range(12)))
    models.append((series, "lstm:3:out=last|repeat:4,gru:2:bi=1,tdense:2;loss=mse"))
    for i, (data, spec) in enumerate(models):
        out = os.path.join(t, "m%d.safetensors" % i)
        extra = ["--window", "4"] if data == series else []
        subprocess.run([aekit, "train", "--data", data, "--model", spec, "-e", "1", "-b", "2", "-q",
                        "-o", out] + extra, check=True)
        with open(out, "rb") as f:
            put("model", "m%d" % i, f.read())
