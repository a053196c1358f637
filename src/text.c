/* text.c: UTF-8 helpers: folding names for search, validity, trimming. */
#include "autoconf.h"

#include <stdint.h>
#include <string.h>

#include "src/text.h"

/*
 * Folding is table-driven and locale-free: it runs over every name of a
 * national-scale cache at bulk load.  ASCII goes through a 128-entry table;
 * U+0080..U+024F (Latin-1 Supplement, Latin Extended-A and -B) through a
 * table of replacement strings, generated with Python's unicodedata (NFD,
 * combining marks dropped, lower case; ligatures and letters without a
 * decomposition written out by hand: ß -> ss, æ -> ae, œ -> oe, ø -> o,
 * ł -> l, đ -> d, ð -> d, þ -> th, ı -> i ...); U+1E00..U+1EFF (Latin
 * Extended Additional) through a table of single letters.  Combining marks
 * (decomposed input) are dropped, typographic apostrophes, dashes and spaces
 * are blanks.  Anything else is copied unchanged.
 *
 * Invalid UTF-8 never stops folding and never produces invalid output: a
 * stray byte from 0xA0 up is read as the Latin-1 character of that value
 * (old files often carry "Dupr\xe9e"), any other stray byte as a blank.
 */

/* Replacement of each code point U+0080..U+024F: " " marks a blank, ""
 * a character dropped (soft hyphen). */
/* clang-format off */
static const char fold_latin[0x250 - 0x80][3] = {
	/* U+0080 */ " ", " ", " ", " ", " ", " ", " ", " ",
	/* U+0088 */ " ", " ", " ", " ", " ", " ", " ", " ",
	/* U+0090 */ " ", " ", " ", " ", " ", " ", " ", " ",
	/* U+0098 */ " ", " ", " ", " ", " ", " ", " ", " ",
	/* U+00A0 */ " ", "\xc2\xa1", "\xc2\xa2", "\xc2\xa3", "\xc2\xa4", "\xc2\xa5", "\xc2\xa6", "\xc2\xa7",
	/* U+00A8 */ "\xc2\xa8", "\xc2\xa9", "\xc2\xaa", "\xc2\xab", "\xc2\xac", "", "\xc2\xae", "\xc2\xaf",
	/* U+00B0 */ "\xc2\xb0", "\xc2\xb1", "\xc2\xb2", "\xc2\xb3", " ", "\xc2\xb5", "\xc2\xb6", "\xc2\xb7",
	/* U+00B8 */ "\xc2\xb8", "\xc2\xb9", "\xc2\xba", "\xc2\xbb", "\xc2\xbc", "\xc2\xbd", "\xc2\xbe", "\xc2\xbf",
	/* U+00C0 */ "a", "a", "a", "a", "a", "a", "ae", "c",
	/* U+00C8 */ "e", "e", "e", "e", "i", "i", "i", "i",
	/* U+00D0 */ "d", "n", "o", "o", "o", "o", "o", "\xc3\x97",
	/* U+00D8 */ "o", "u", "u", "u", "u", "y", "th", "ss",
	/* U+00E0 */ "a", "a", "a", "a", "a", "a", "ae", "c",
	/* U+00E8 */ "e", "e", "e", "e", "i", "i", "i", "i",
	/* U+00F0 */ "d", "n", "o", "o", "o", "o", "o", "\xc3\xb7",
	/* U+00F8 */ "o", "u", "u", "u", "u", "y", "th", "y",
	/* U+0100 */ "a", "a", "a", "a", "a", "a", "c", "c",
	/* U+0108 */ "c", "c", "c", "c", "c", "c", "d", "d",
	/* U+0110 */ "d", "d", "e", "e", "e", "e", "e", "e",
	/* U+0118 */ "e", "e", "e", "e", "g", "g", "g", "g",
	/* U+0120 */ "g", "g", "g", "g", "h", "h", "h", "h",
	/* U+0128 */ "i", "i", "i", "i", "i", "i", "i", "i",
	/* U+0130 */ "i", "i", "ij", "ij", "j", "j", "k", "k",
	/* U+0138 */ "k", "l", "l", "l", "l", "l", "l", "l",
	/* U+0140 */ "l", "l", "l", "n", "n", "n", "n", "n",
	/* U+0148 */ "n", "n", "n", "n", "o", "o", "o", "o",
	/* U+0150 */ "o", "o", "oe", "oe", "r", "r", "r", "r",
	/* U+0158 */ "r", "r", "s", "s", "s", "s", "s", "s",
	/* U+0160 */ "s", "s", "t", "t", "t", "t", "t", "t",
	/* U+0168 */ "u", "u", "u", "u", "u", "u", "u", "u",
	/* U+0170 */ "u", "u", "u", "u", "w", "w", "y", "y",
	/* U+0178 */ "y", "z", "z", "z", "z", "z", "z", "s",
	/* U+0180 */ "b", "b", "b", "b", "\xc6\x85", "\xc6\x85", "\xc9\x94", "c",
	/* U+0188 */ "c", "d", "d", "d", "d", "\xc6\x8d", "\xc7\x9d", "\xc9\x99",
	/* U+0190 */ "\xc9\x9b", "f", "f", "g", "\xc9\xa3", "hv", "\xc9\xa9", "i",
	/* U+0198 */ "k", "k", "l", "\xc6\x9b", "\xc9\xaf", "n", "n", "o",
	/* U+01A0 */ "o", "o", "oi", "oi", "p", "p", "\xca\x80", "\xc6\xa8",
	/* U+01A8 */ "\xc6\xa8", "\xca\x83", "\xc6\xaa", "t", "t", "t", "t", "u",
	/* U+01B0 */ "u", "\xca\x8a", "v", "y", "y", "z", "z", "\xca\x92",
	/* U+01B8 */ "\xc6\xb9", "\xc6\xb9", "\xc6\xba", "\xc6\xbb", "\xc6\xbd", "\xc6\xbd", "\xc6\xbe", "\xc6\xbf",
	/* U+01C0 */ "\xc7\x80", "\xc7\x81", "\xc7\x82", "\xc7\x83", "dz", "dz", "dz", "lj",
	/* U+01C8 */ "lj", "lj", "nj", "nj", "nj", "a", "a", "i",
	/* U+01D0 */ "i", "o", "o", "u", "u", "u", "u", "u",
	/* U+01D8 */ "u", "u", "u", "u", "u", "\xc7\x9d", "a", "a",
	/* U+01E0 */ "a", "a", "ae", "ae", "g", "g", "g", "g",
	/* U+01E8 */ "k", "k", "o", "o", "o", "o", "\xc7\xaf", "\xc7\xaf",
	/* U+01F0 */ "j", "dz", "dz", "dz", "g", "g", "hv", "\xc6\xbf",
	/* U+01F8 */ "n", "n", "a", "a", "ae", "ae", "o", "o",
	/* U+0200 */ "a", "a", "a", "a", "e", "e", "e", "e",
	/* U+0208 */ "i", "i", "i", "i", "o", "o", "o", "o",
	/* U+0210 */ "r", "r", "r", "r", "u", "u", "u", "u",
	/* U+0218 */ "s", "s", "t", "t", "\xc8\x9d", "\xc8\x9d", "h", "h",
	/* U+0220 */ "n", "d", "ou", "ou", "z", "z", "a", "a",
	/* U+0228 */ "e", "e", "o", "o", "o", "o", "o", "o",
	/* U+0230 */ "o", "o", "y", "y", "l", "n", "t", "j",
	/* U+0238 */ "\xc8\xb8", "\xc8\xb9", "a", "c", "c", "l", "t", "s",
	/* U+0240 */ "z", "\xc9\x82", "\xc9\x82", "b", "u", "\xca\x8c", "e", "e",
	/* U+0248 */ "j", "j", "q", "q", "r", "r", "y", "y",
};
/* clang-format on */

/* Latin Extended Additional: the base letters, or "" to copy unchanged. */
/* clang-format off */
static const char fold_extra[0x100][3] = {
	/* U+1E00 */ "a", "a", "b", "b", "b", "b", "b", "b", "c", "c", "d", "d", "d", "d", "d", "d",
	/* U+1E10 */ "d", "d", "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "f", "f",
	/* U+1E20 */ "g", "g", "h", "h", "h", "h", "h", "h", "h", "h", "h", "h", "i", "i", "i", "i",
	/* U+1E30 */ "k", "k", "k", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l", "l", "m", "m",
	/* U+1E40 */ "m", "m", "m", "m", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
	/* U+1E50 */ "o", "o", "o", "o", "p", "p", "p", "p", "r", "r", "r", "r", "r", "r", "r", "r",
	/* U+1E60 */ "s", "s", "s", "s", "s", "s", "s", "s", "s", "s", "t", "t", "t", "t", "t", "t",
	/* U+1E70 */ "t", "t", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "v", "v", "v", "v",
	/* U+1E80 */ "w", "w", "w", "w", "w", "w", "w", "w", "w", "w", "x", "x", "x", "x", "y", "y",
	/* U+1E90 */ "z", "z", "z", "z", "z", "z", "h", "t", "w", "y", "a", "s", "s", "s", "ss", "",
	/* U+1EA0 */ "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a",
	/* U+1EB0 */ "a", "a", "a", "a", "a", "a", "a", "a", "e", "e", "e", "e", "e", "e", "e", "e",
	/* U+1EC0 */ "e", "e", "e", "e", "e", "e", "e", "e", "i", "i", "i", "i", "o", "o", "o", "o",
	/* U+1ED0 */ "o", "o", "o", "o", "o", "o", "o", "o", "o", "o", "o", "o", "o", "o", "o", "o",
	/* U+1EE0 */ "o", "o", "o", "o", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u",
	/* U+1EF0 */ "u", "u", "y", "y", "y", "y", "y", "y", "y", "y", "ll", "ll", "", "", "y", "y",
};
/* clang-format on */

/* ASCII: the lower-case letter, ' ' for a blank (controls, space, hyphen,
 * apostrophe, grave accent), or the character itself. */
/* clang-format off */
static const char fold_ascii[128] = {
	' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
	' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
	' ', '!', '"', '#', '$', '%', '&', ' ', '(', ')', '*', '+', ',', ' ', '.', '/',
	'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
	'@', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', '[', '\\', ']', '^', '_',
	' ', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', '{', '|', '}', '~', ' ',
};
/* clang-format on */

/* Decode one UTF-8 sequence at s (not at NUL); returns its length and the
 * code point in *cp, or 0 if the bytes are not a valid shortest form. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	uint32_t c = s[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		if ((s[1] & 0xc0) != 0x80)
			return 0;
		*cp = ((c & 0x1f) << 6) | (s[1] & 0x3f);
		return 2;
	}
	if (c >= 0xe0 && c <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		*cp = ((c & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
		if (*cp < 0x800 || (*cp >= 0xd800 && *cp <= 0xdfff))
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		*cp = ((c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) |
		      ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
		if (*cp < 0x10000 || *cp > 0x10ffff)
			return 0;
		return 4;
	}
	return 0;
}

/* True for the blanks, dashes and apostrophes outside Latin-1 that fold to
 * a space; *drop is set for invisible characters that fold to nothing. */
static bool fold_is_blank(uint32_t cp, bool *drop)
{
	*drop = false;
	switch (cp) {
	case 0x02b9: /* modifier prime */
	case 0x02bb: /* modifier turned comma (ʻ) */
	case 0x02bc: /* modifier apostrophe (ʼ) */
	case 0x02bd:
	case 0x2018: /* ' */
	case 0x2019: /* ' */
	case 0x201a:
	case 0x201b:
	case 0x2032: /* prime */
	case 0x2212: /* minus */
	case 0x202f: /* narrow no-break space */
	case 0x205f:
	case 0x3000:
	case 0xff07: /* fullwidth apostrophe */
	case 0xff0d: /* fullwidth hyphen */
		return true;
	case 0x200b: /* zero width space, joiners, word joiner, BOM */
	case 0x200c:
	case 0x200d:
	case 0x2060:
	case 0xfeff:
		*drop = true;
		return false;
	default:
		/* U+2000..U+200A spaces, U+2010..U+2015 hyphens and dashes */
		return (cp >= 0x2000 && cp <= 0x200a) || (cp >= 0x2010 && cp <= 0x2015);
	}
}

size_t text_fold(const char *in, char *out, size_t size)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t len = 0, n, k;
	bool space = false, drop;
	char buf[4];
	const char *rep;
	uint32_t cp;

	if (size == 0)
		return 0;
	while (*s) {
		if (*s < 0x80) {
			char c = fold_ascii[*s++];
			if (c == ' ') {
				space = true;
				continue;
			}
			buf[0] = c;
			rep = buf;
			n = 1;
		} else {
			k = utf8_decode(s, &cp);
			if (k == 0) {
				/* A stray byte: Latin-1 from 0xA0 up, else a blank. */
				cp = *s >= 0xa0 ? *s : 0x80;
				k = 1;
			}
			if (cp < 0x250) {
				rep = fold_latin[cp - 0x80];
				n = strlen(rep);
			} else if (cp >= 0x300 && cp <= 0x36f) {
				n = 0; /* combining mark of decomposed input */
				rep = "";
			} else if (cp >= 0x1e00 && cp <= 0x1eff && fold_extra[cp - 0x1e00][0]) {
				rep = fold_extra[cp - 0x1e00];
				n = strlen(rep);
			} else if (fold_is_blank(cp, &drop)) {
				rep = " ";
				n = 1;
			} else if (drop) {
				rep = "";
				n = 0;
			} else {
				rep = (const char *)s; /* copied unchanged */
				n = k;
			}
			s += k;
			if (n == 1 && rep[0] == ' ') {
				space = true;
				continue;
			}
			if (n == 0)
				continue;
		}
		/* Emit the pending blank only between words, then the piece
		 * whole: a character is never cut in two at the end. */
		if (space && len > 0) {
			if (len + 1 + n > size - 1)
				break;
			out[len++] = ' ';
		}
		space = false;
		if (len + n > size - 1)
			break;
		memcpy(out + len, rep, n);
		len += n;
	}
	out[len] = '\0';
	return len;
}

bool text_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t k;

	if (!s)
		return false;
	while (*p) {
		if (*p < 0x80) {
			if (*p < 0x20 || *p == 0x7f)
				return false;
			p++;
			continue;
		}
		k = utf8_decode(p, &cp);
		if (k == 0 || (cp >= 0x80 && cp < 0xa0))
			return false;
		p += k;
	}
	return true;
}

char *text_trim(char *s)
{
	size_t start = 0, end;

	if (!s)
		return s;
	end = strlen(s);
	while (start < end && strchr(" \t\n\r\v\f", s[start]))
		start++;
	while (end > start && strchr(" \t\n\r\v\f", s[end - 1]))
		end--;
	if (start > 0)
		memmove(s, s + start, end - start);
	s[end - start] = '\0';
	return s;
}
