// bench/face's JavaScript side: the reference implementation
// (@vladmandic/face-api on the TF.js CPU backend, one thread) on the same
// 1-megapixel selfies as kycd (the PPM files bench-face speed wrote), the
// same work: tiny face detector at 416, 68 landmarks, descriptor, age and
// gender for every face. Prints the median and p95 CPU ms per image.
//   node tools/face-ref/bench.mjs REPS FILE.ppm...
import fs from 'fs';
import path from 'path';
import { loadNets } from './make-vectors.mjs';

function readPpm(file, tf) {
  const b = fs.readFileSync(file);
  const head = b.subarray(0, 64).toString('latin1').split(/\s+/);
  const [w, h] = [Number(head[1]), Number(head[2])];
  const off = b.length - w * h * 3;
  return tf.tensor3d(new Int32Array(b.subarray(off)), [h, w, 3], 'int32');
}

const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

async function main() {
  const reps = Number(process.argv[2]) || 3;
  const files = process.argv.slice(3);
  const here = path.dirname(new URL(import.meta.url).pathname);
  const faceapi = await loadNets(process.env.KYCD_MODELS || path.join(here, '../../build/models/face-api'));
  const tf = faceapi.tf;
  const opts = new faceapi.TinyFaceDetectorOptions({ inputSize: 416 });
  const times = [];
  let faces = 0;
  for (const f of files) {
    const img = readPpm(f, tf);
    await faceapi.detectAllFaces(img, opts).withFaceLandmarks().withFaceDescriptors().withAgeAndGender(); // warm-up
    for (let r = 0; r < reps; r++) {
      const t0 = cpuMs();
      const res = await faceapi.detectAllFaces(img, opts).withFaceLandmarks().withFaceDescriptors().withAgeAndGender();
      times.push(cpuMs() - t0);
      faces += res.length === 1 ? 1 : 0;
    }
    img.dispose();
  }
  times.sort((a, b) => a - b);
  const q = (p) => times[Math.max(0, Math.ceil(p * times.length) - 1)];
  console.log(`face-api (TF.js ${tf.version_core}, ${tf.getBackend()} backend) 1-MP selfies: ${files.length}, runs ${times.length}, one face found in ${faces}: median ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms CPU`);
}

main();
