#include "document/mrz.h"

static int mrz_char_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	if (c == '<')
		return 0;
	return -1;
}

int kyc_mrz_check_digit(const char *s, size_t n)
{
	static const int weights[3] = {7, 3, 1};
	int sum = 0;
	for (size_t i = 0; i < n; i++) {
		int v = mrz_char_value(s[i]);
		if (v < 0)
			return -1;
		sum += v * weights[i % 3];
	}
	return sum % 10;
}
