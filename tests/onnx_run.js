// SPDX-License-Identifier: MIT
// onnx_run.js — run an ONNX file with ONNX Runtime (onnxruntime-node) on the
// rows of a float32 .npy file and write the output as a float32 .npy file,
// one row per sample. The input's per-sample dims come from the model
// (its first dimension is the batch). Used by tests/cli_onnx.sh.
//   node onnx_run.js MODEL.onnx IN.npy OUT.npy
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

function readNpy(path) {
  const b = fs.readFileSync(path);
  if (b.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(path + ': not an NPY file');
  const hl = b.readUInt16LE(8);
  const header = b.toString('latin1', 10, 10 + hl);
  if (!header.includes("'<f4'")) throw new Error(path + ': not float32');
  const shape = header.match(/\(([^)]*)\)/)[1].split(',').filter((s) => s.trim()).map(Number);
  const off = 10 + hl;
  const data = new Float32Array(b.buffer.slice(b.byteOffset + off, b.byteOffset + b.length));
  return { shape, data };
}

function writeNpy(path, data, rows) {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${data.length / rows}), }`;
  let len = 10 + dict.length + 1;
  const pad = (64 - (len % 64)) % 64;
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1, head[7] = 0;
  head.writeUInt16LE(dict.length + pad + 1, 8);
  const text = Buffer.from(dict + ' '.repeat(pad) + '\n', 'latin1');
  fs.writeFileSync(path, Buffer.concat([head, text, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

async function main() {
  const [model, input, output] = process.argv.slice(2);
  const s = await ort.InferenceSession.create(model);
  const meta = s.inputMetadata[0];
  const x = readNpy(input);
  const n = x.shape[0];
  const dims = [n, ...meta.shape.slice(1)];
  const per = dims.slice(1).reduce((a, b) => a * b, 1);
  if (per * n !== x.data.length)
    throw new Error(`${input}: ${x.data.length / n} values a row, the model takes ${per}`);
  const feeds = { [s.inputNames[0]]: new ort.Tensor('float32', x.data, dims) };
  const out = (await s.run(feeds))[s.outputNames[0]];
  writeNpy(output, out.data, n);
  console.log(`${model}: ${s.inputNames[0]} [${dims}] -> ${s.outputNames[0]} [${out.dims}]`);
}

main().catch((e) => {
  console.error(`onnx_run: ${e.message}`);
  process.exit(1);
});
