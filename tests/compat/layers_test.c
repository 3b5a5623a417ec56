/* The route sets sit on top: src/compat may use the layers below it
 * (src/http's common API layer among them), and nothing below includes
 * src/compat — the server is assembled in src/cli/cmd_serve.c, which
 * composes the API and the route sets (README.md, "Architecture"). Reads
 * every source file of the lower folders, as the compiler would. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

/* Files of dir that include a header of src/compat (each reported when
 * loud). */
static int includes_compat(const char *dir, int loud)
{
	char path[512], line[1024];
	int found = 0;
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "  cannot read %s (run from the repository's root)\n", dir);
		return -1;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n < 3 || (strcmp(e->d_name + n - 2, ".c") && strcmp(e->d_name + n - 2, ".h")))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof line, f)) {
			const char *p = line + strspn(line, " \t");
			if (!strncmp(p, "#include", 8) && strstr(p, "\"compat/")) {
				if (loud)
					fprintf(stderr, "  %s: %s", path, line);
				found++;
			}
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

TEST(nothing_below_includes_compat)
{
	static const char *const below[] = {"src/core",     "src/json", "src/store",
	                                    "src/document", "src/net",  "src/flows",
	                                    "src/webhooks", "src/http", "src/web"};
	for (size_t i = 0; i < sizeof below / sizeof below[0]; i++)
		CHECK_INT(includes_compat(below[i], 1), 0);
}

/* The check itself sees an include where there is one. */
TEST(the_check_sees_includes)
{
	CHECK(includes_compat("src/compat", 0) > 0);
	CHECK(includes_compat("src/cli", 0) > 0);
}

int main(void)
{
	RUN(nothing_below_includes_compat);
	RUN(the_check_sees_includes);
	return test_done("compat_layers");
}
