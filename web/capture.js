/* Taking a photo on the hosted page: the device camera (getUserMedia, the
   rear camera preferred for documents, the front one for a selfie) or a
   chosen file. Either way the result is a JPEG or PNG Blob small enough for
   kycd's cap: large photos are scaled down in a canvas before upload. */
'use strict';
(function () {
	var MAX_BYTES = 1900000; /* under kycd's default 2 MB image cap */
	var MAX_SIDE = 2400;
	var stream = null;

	function stop() {
		if (stream) {
			stream.getTracks().forEach(function (t) { t.stop(); });
			stream = null;
		}
	}

	/* Starts the camera into video. facing: 'environment' | 'user'. */
	function start(video, facing) {
		stop();
		if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia)
			return Promise.reject(new Error('no_camera'));
		return navigator.mediaDevices.getUserMedia({
			audio: false,
			video: { facingMode: { ideal: facing }, width: { ideal: 1920 }, height: { ideal: 1080 } }
		}).then(function (s) {
			stream = s;
			video.srcObject = s;
			video.setAttribute('playsinline', '');
			video.muted = true;
			return video.play().then(function () {
				/* The first frame may not have arrived when play() resolves. */
				if (video.videoWidth) return;
				return new Promise(function (ok) { video.addEventListener('loadeddata', ok, { once: true }); });
			});
		});
	}

	function toBlob(canvas, quality) {
		return new Promise(function (ok, fail) {
			canvas.toBlob(function (b) { b ? ok(b) : fail(new Error('encode_failed')); }, 'image/jpeg', quality);
		});
	}

	/* The current video frame as a JPEG, at the camera's own resolution;
	   keep: the camera stays on (the liveness challenge takes several). */
	function shoot(video, keep) {
		var w = video.videoWidth, h = video.videoHeight;
		if (!w || !h) return Promise.reject(new Error('no_frame'));
		var scale = Math.min(1, MAX_SIDE / Math.max(w, h));
		var c = document.createElement('canvas');
		c.width = Math.round(w * scale);
		c.height = Math.round(h * scale);
		c.getContext('2d').drawImage(video, 0, 0, c.width, c.height);
		if (!keep) stop();
		return toBlob(c, 0.92);
	}

	/* A chosen file as is when it fits, else redrawn smaller as JPEG. */
	function fromFile(file) {
		if (!file) return Promise.reject(new Error('no_file'));
		if (file.size <= MAX_BYTES && /^image\/(jpeg|png)$/.test(file.type)) return Promise.resolve(file);
		if (!window.createImageBitmap) return Promise.resolve(file); /* kycd will say what is wrong */
		return createImageBitmap(file).then(function (bmp) {
			var scale = Math.min(1, MAX_SIDE / Math.max(bmp.width, bmp.height));
			var c = document.createElement('canvas');
			c.width = Math.round(bmp.width * scale);
			c.height = Math.round(bmp.height * scale);
			c.getContext('2d').drawImage(bmp, 0, 0, c.width, c.height);
			if (bmp.close) bmp.close();
			return toBlob(c, 0.9);
		}, function () { return file; });
	}

	window.KycCapture = { start: start, stop: stop, shoot: shoot, fromFile: fromFile };
})();
