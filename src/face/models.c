/* Finding the model folder (face.h). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "face/face.h"

static int has_models(const char *dir)
{
	char p[PATH_MAX + 64];
	snprintf(p, sizeof p, "%s/tiny_face_detector_model-weights_manifest.json", dir);
	return access(p, R_OK) == 0;
}

int kyc_face_models_dir(char *buf, size_t len)
{
	const char *env = getenv("KYCD_MODELS");
	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return has_models(buf) ? 0 : KYC_ERR_NOTFOUND;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			snprintf(buf, len, "%s/../models/face-api", exe);
			if (has_models(buf))
				return 0;
			snprintf(buf, len, "%s/../share/kycd/models/face-api", exe);
			if (has_models(buf))
				return 0;
		}
	}
	snprintf(buf, len, "build/models/face-api");
	return has_models(buf) ? 0 : KYC_ERR_NOTFOUND;
}
