// Produces the face engine's reference vectors (tests/data/face/): real face
// photos from the pinned @vladmandic/face-api package, cut and sized to each
// network's input and written as PNG (lossless, so C reads the same pixels),
// and what the package's own networks answer on those pixels under the TF.js
// CPU backend. Run by hand when the networks or the pinned version change:
//   node tools/face-ref/make-vectors.mjs [MODELS_DIR] [OUT_DIR]
import fs from 'fs';
import path from 'path';
import { createRequire } from 'module';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

const require = createRequire(import.meta.url);
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const tf = faceapi.tf;

const here = path.dirname(new URL(import.meta.url).pathname);
const models = process.argv[2] || path.join(here, '../../build/models/face-api');
const outDir = process.argv[3] || path.join(here, '../../tests/data/face');

export async function loadNets(dir) {
  await tf.setBackend('cpu');
  await tf.ready();
  const load = (net, name) => {
    const man = JSON.parse(fs.readFileSync(path.join(dir, `${name}-weights_manifest.json`)));
    const bins = man.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p))));
    const buf = Buffer.concat(bins);
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
    net.loadFromWeightMap(tf.io.decodeWeights(ab, man.flatMap((g) => g.weights)));
  };
  load(faceapi.nets.tinyFaceDetector, 'tiny_face_detector_model');
  load(faceapi.nets.faceLandmark68Net, 'face_landmark_68_model');
  load(faceapi.nets.faceRecognitionNet, 'face_recognition_model');
  load(faceapi.nets.ageGenderNet, 'age_gender_model');
  return faceapi;
}

export function readJpeg(file) {
  const img = jpeg.decode(fs.readFileSync(file), { useTArray: true, formatAsRGBA: false });
  return tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
}

function writePng(t, file) {
  const [h, w] = t.shape;
  const data = t.dataSync();
  const png = new PNG({ width: w, height: h, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  png.data = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    for (let c = 0; c < 3; c++) png.data[i * 4 + c] = data[i * 3 + c];
    png.data[i * 4 + 3] = 255;
  }
  fs.writeFileSync(file, PNG.sync.write(png, { colorType: 2 }));
  // What C will read: the same bytes back as an int tensor.
  const back = PNG.sync.read(fs.readFileSync(file));
  const rgb = new Int32Array(w * h * 3);
  for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = back.data[i * 4 + c];
  return tf.tensor3d(rgb, [h, w, 3], 'int32');
}

// A square crop around a detected box, margin times its size, resized to side.
function faceCrop(img, box, margin, side) {
  const [h, w] = img.shape;
  const s = Math.max(box.width, box.height) * margin;
  const cx = box.x + box.width / 2; const cy = box.y + box.height / 2;
  const y1 = (cy - s / 2) / h; const x1 = (cx - s / 2) / w;
  const y2 = (cy + s / 2) / h; const x2 = (cx + s / 2) / w;
  return tf.tidy(() => tf.image.cropAndResize(tf.expandDims(tf.cast(img, 'float32')), [[y1, x1, y2, x2]], [0], [side, side])
    .squeeze().round().clipByValue(0, 255).cast('int32'));
}

const round6 = (a) => Array.from(a, (v) => Math.round(v * 1e7) / 1e7);

async function main() {
  await loadNets(models);
  fs.mkdirSync(outDir, { recursive: true });
  const ref = { package: '@vladmandic/face-api@1.7.15', backend: tf.getBackend(), tfjs: tf.version_core, detector: [], faces: [] };

  // Detector: whole photos padded to a square at the bottom/right and sized to
  // 224, as toBatchTensor(224, false) does before the net.
  for (const [i, name] of ['sample1.jpg', 'sample4.jpg'].entries()) {
    const img = readJpeg(path.join(models, 'samples', name));
    const sq = tf.tidy(() => {
      const [h, w] = img.shape; const side = Math.max(h, w);
      const padded = tf.pad(tf.cast(img, 'float32'), [[0, side - h], [0, side - w], [0, 0]]);
      return tf.image.resizeBilinear(padded, [224, 224]).round().clipByValue(0, 255).cast('int32');
    });
    const file = `det224_${i + 1}.png`;
    const t = writePng(sq, path.join(outDir, file));
    const raw = faceapi.nets.tinyFaceDetector.forwardInput(await faceapi.toNetInput(t), 224);
    const dets = await faceapi.nets.tinyFaceDetector.locateFaces(t, new faceapi.TinyFaceDetectorOptions({ inputSize: 224, scoreThreshold: 0.5 }));
    ref.detector.push({
      input: file, size: 224, shape: raw.shape.slice(1), raw: round6(raw.dataSync()),
      faces: dets.map((d) => ({ score: d.score, box: [d.box.x, d.box.y, d.box.width, d.box.height] })),
    });
  }

  // Face crops for the landmark, recognition and age/gender nets.
  let n = 0;
  for (const name of ['sample1.jpg', 'sample2.jpg', 'sample3.jpg']) {
    const img = readJpeg(path.join(models, 'samples', name));
    const dets = await faceapi.detectAllFaces(img, new faceapi.TinyFaceDetectorOptions({ inputSize: 416 }));
    dets.sort((a, b) => b.score - a.score);
    const box = dets[0].box;
    n += 1;
    const f150 = writePng(faceCrop(img, box, 1.2, 150), path.join(outDir, `face150_${n}.png`));
    const f112 = writePng(faceCrop(img, box, 1.2, 112), path.join(outDir, `face112_${n}.png`));
    const emb = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(f150);
    const lmRaw = faceapi.nets.faceLandmark68Net.runNet(await faceapi.toNetInput(f112));
    const ag = await faceapi.nets.ageGenderNet.forward(f112);
    ref.faces.push({
      input150: `face150_${n}.png`, input112: `face112_${n}.png`,
      embedding: round6(emb), landmarks: round6(lmRaw.dataSync()),
      age: ag.age.dataSync()[0], gender: round6(ag.gender.dataSync()),
    });
  }
  fs.writeFileSync(path.join(outDir, 'ref.json'), `${JSON.stringify(ref)}\n`);
  console.log(`wrote ${outDir}/ref.json: ${ref.detector.length} detector inputs, ${ref.faces.length} faces`);
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) main();
