// SPDX-License-Identifier: MIT
// ort_infer.js — the ONNX Runtime side of `make bench`'s inference rows:
// the same model as aekit-bench's (exported by `aekit export`), timed the
// same way, in-process, through onnxruntime-node.
//
//   node ort_infer.js ENCODER.onnx FULL.onnx THREADS [DATA_DIR]
//
// prints `encode_samples_per_s` (ENCODER.onnx) and
// `reconstruct_samples_per_s` (FULL.onnx: the code and the reconstruction),
// batches of 256 over the 10 000 Fashion-MNIST test images, best of 3 after
// a warm-up pass, and `encode_latency_us` (median of 2000 single-sample
// encodes). Threads: intra-op THREADS, inter-op 1, sequential execution,
// every graph optimisation on (ORT's defaults otherwise). Each run() is
// awaited: the binding's call overhead is part of the latency, as it is for
// a user of the binding.
'use strict';
const fs = require('fs');
const zlib = require('zlib');
const ort = require('onnxruntime-node');

function testImages(dir) {
  const path = `${dir}/t10k-images-idx3-ubyte.gz`;
  const b = zlib.gunzipSync(fs.readFileSync(path));
  if (b.readUInt32BE(0) !== 0x803) throw new Error(`${path}: not IDX images`);
  const n = b.readUInt32BE(4), d = b.readUInt32BE(8) * b.readUInt32BE(12);
  const x = new Float32Array(n * d);
  for (let i = 0; i < n * d; i++) x[i] = b[16 + i] / 255;
  return { x, n, d };
}

async function session(path, threads) {
  return ort.InferenceSession.create(path, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
}

function now() { return Number(process.hrtime.bigint()) * 1e-9; }

async function main() {
  const [encPath, fullPath, threadsArg, dir = '/usr/share/datasets/fashion-mnist'] = process.argv.slice(2);
  const threads = Number(threadsArg);
  if (!encPath || !fullPath || !(threads >= 1)) {
    console.error('usage: node ort_infer.js ENCODER.onnx FULL.onnx THREADS [DATA_DIR]');
    process.exit(2);
  }
  const data = testImages(dir);
  const names = ['encode', 'reconstruct'];
  const sessions = [await session(encPath, threads), await session(fullPath, threads)];
  for (let which = 0; which < 2; which++) {
    const s = sessions[which];
    const shape = s.inputMetadata[0].shape.slice(1);
    const per = shape.reduce((a, b) => a * b, 1);
    if (per !== data.d) throw new Error(`${which ? fullPath : encPath}: takes ${per} values, the images have ${data.d}`);
    let best = 0;
    for (let rep = 0; rep < 4; rep++) { // the first is a warm-up
      const t0 = now();
      for (let i = 0; i < data.n; i += 256) {
        const b = Math.min(256, data.n - i);
        const t = new ort.Tensor('float32', data.x.subarray(i * per, (i + b) * per), [b, ...shape]);
        await s.run({ [s.inputNames[0]]: t });
      }
      const rate = data.n / (now() - t0);
      if (rep && rate > best) best = rate;
    }
    console.log(`${names[which]}_samples_per_s ${best.toFixed(1)}`);
  }
  const s = sessions[0];
  const shape = s.inputMetadata[0].shape.slice(1);
  const REPS = 2000, t = new Float64Array(REPS);
  for (let r = 0; r < REPS; r++) {
    const off = (r % 100) * data.d;
    const x = new ort.Tensor('float32', data.x.subarray(off, off + data.d), [1, ...shape]);
    const t0 = now();
    await s.run({ [s.inputNames[0]]: x });
    t[r] = now() - t0;
  }
  t.sort();
  console.log(`encode_latency_us ${(t[REPS / 2] * 1e6).toFixed(2)}`);
}

main().catch((e) => {
  console.error(`ort_infer: ${e.message}`);
  process.exit(1);
});
