/* widget.c: UTF-8 text cut to a width, the one-line editor, the confirm box. */
#include "autoconf.h"

#include "ui/widget.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "ui/theme.h"

/* Decode one character of UTF-8 text; returns its length in bytes (at least
 * 1, so a bad byte is skipped) and the character in *wc ('?' if bad). */
static size_t next_char(const char *s, size_t avail, wchar_t *wc)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t n = mbrtowc(wc, s, avail, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*wc = L'?';
		return 1;
	}
	return n;
}

static int char_width(wchar_t wc)
{
	int w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

int ui_widget_width(const char *text)
{
	size_t len = strlen(text);
	int cols = 0;
	wchar_t wc;

	for (size_t i = 0; i < len;) {
		i += next_char(text + i, len - i, &wc);
		cols += char_width(wc);
	}
	return cols;
}

int ui_widget_put(WINDOW *w, int y, int x, int width, const char *text, attr_t attr, bool pad)
{
	size_t len = strlen(text);
	int cols = 0, total = ui_widget_width(text);
	wchar_t wc, buf[2] = {0, 0};

	if (width <= 0)
		return 0;
	wmove(w, y, x);
	wattrset(w, attr);
	for (size_t i = 0; i < len;) {
		i += next_char(text + i, len - i, &wc);
		if (!iswprint((wint_t)wc))
			wc = L'?';
		int cw = char_width(wc);
		/* Keep a column for the ellipsis when the text will not fit. */
		if (cols + cw > width || (total > width && cols + cw > width - 1)) {
			if (total > width && cols < width) {
				buf[0] = L'…';
				waddnwstr(w, buf, 1);
				cols++;
			}
			break;
		}
		buf[0] = wc;
		waddnwstr(w, buf, 1);
		cols += cw;
	}
	if (pad) {
		for (; cols < width; cols++)
			waddch(w, ' ');
	}
	wattrset(w, A_NORMAL);
	return cols;
}

int ui_widget_wrap(WINDOW *w, int y, int x, int width, int max_lines, const char *text, attr_t attr)
{
	char line[1024];
	const char *p = text;
	int rows = 0;

	if (width < 2)
		return 0;
	while (*p && rows < max_lines) {
		/* Take words while they fit; a word longer than a row is cut. */
		size_t len = 0, best = 0;
		int cols = 0;
		wchar_t wc;
		while (p[len] && p[len] != '\n') {
			size_t n = next_char(p + len, strlen(p + len), &wc);
			int cw = char_width(wc);
			if (cols + cw > width)
				break;
			cols += cw;
			len += n;
			if (p[len] == ' ' || p[len] == '\0' || p[len] == '\n')
				best = len;
		}
		bool at_newline = p[len] == '\n';
		if (p[len] && !at_newline && best)
			len = best; /* break at the last blank */
		if (len >= sizeof line)
			len = sizeof line - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		if (w)
			ui_widget_put(w, y + rows, x, width, line, attr, false);
		rows++;
		p += len;
		if (at_newline)
			p++;
		else if (!len && *p)
			p += next_char(p, strlen(p), &wc); /* wider than the row: skip it */
		else
			while (*p == ' ')
				p++;
	}
	return rows;
}

void ui_widget_fill(WINDOW *w, int y, int x, int width, attr_t attr)
{
	wmove(w, y, x);
	wattrset(w, attr);
	for (int i = 0; i < width; i++)
		waddch(w, ' ');
	wattrset(w, A_NORMAL);
}

void ui_line_set(struct ui_line *l, const char *text)
{
	snprintf(l->text, sizeof l->text, "%s", text ? text : "");
	l->len = strlen(l->text);
	l->cur = l->len;
}

/* Byte offset of the character before off. */
static size_t prev_boundary(const char *s, size_t off)
{
	if (off == 0)
		return 0;
	off--;
	while (off > 0 && ((unsigned char)s[off] & 0xC0) == 0x80)
		off--;
	return off;
}

static size_t next_boundary(const char *s, size_t len, size_t off)
{
	if (off >= len)
		return len;
	off++;
	while (off < len && ((unsigned char)s[off] & 0xC0) == 0x80)
		off++;
	return off;
}

int ui_line_edit(struct ui_line *l, enum ui_action a, wint_t ch)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;
	size_t n, p;

	switch (a) {
	case UI_ACT_CHAR:
		memset(&st, 0, sizeof st);
		n = wcrtomb(mb, (wchar_t)ch, &st);
		if (n == (size_t)-1 || l->len + n >= sizeof l->text)
			return 0; /* full or not encodable: refuse, lose nothing */
		memmove(l->text + l->cur + n, l->text + l->cur, l->len - l->cur + 1);
		memcpy(l->text + l->cur, mb, n);
		l->len += n;
		l->cur += n;
		return 1;
	case UI_ACT_BACKSPACE:
		if (l->cur == 0)
			return 0;
		p = prev_boundary(l->text, l->cur);
		memmove(l->text + p, l->text + l->cur, l->len - l->cur + 1);
		l->len -= l->cur - p;
		l->cur = p;
		return 1;
	case UI_ACT_DELETE:
		if (l->cur >= l->len)
			return 0;
		p = next_boundary(l->text, l->len, l->cur);
		memmove(l->text + l->cur, l->text + p, l->len - p + 1);
		l->len -= p - l->cur;
		return 1;
	case UI_ACT_LEFT:
		l->cur = prev_boundary(l->text, l->cur);
		return 0;
	case UI_ACT_RIGHT:
		l->cur = next_boundary(l->text, l->len, l->cur);
		return 0;
	case UI_ACT_HOME:
		l->cur = 0;
		return 0;
	case UI_ACT_END:
		l->cur = l->len;
		return 0;
	case UI_ACT_CLEAR:
		if (!l->len)
			return 0;
		ui_line_set(l, "");
		return 1;
	default:
		return -1;
	}
}

int ui_line_cursor_col(const struct ui_line *l)
{
	char head[sizeof l->text];
	memcpy(head, l->text, l->cur);
	head[l->cur] = '\0';
	return ui_widget_width(head);
}

void ui_confirm_open(struct ui_confirm *c, int tag, const char *title, const char *text,
                     const char *yes, const char *no)
{
	c->open = true;
	c->tag = tag;
	c->only = UI_ACT_NONE;
	snprintf(c->title, sizeof c->title, "%s", title);
	snprintf(c->text, sizeof c->text, "%s", text);
	snprintf(c->yes, sizeof c->yes, "%s", yes);
	snprintf(c->no, sizeof c->no, "%s", no);
}

void ui_confirm_only(struct ui_confirm *c, enum ui_action a)
{
	c->only = a;
}

int ui_confirm_handle(struct ui_confirm *c, enum ui_action a)
{
	if (!c->open)
		return 0;
	if (a == UI_ACT_BACK) {
		c->open = false;
		return 0;
	}
	if (c->only ? a == c->only : (a == UI_ACT_OPEN || a == UI_ACT_SAVE)) {
		c->open = false;
		return 1;
	}
	return -1;
}

/* A frame of Unicode box-drawing characters.  box() draws with the
 * terminal's alternate character set, which some terminals and
 * multiplexers leave unset, showing "lqqk" instead of lines. */
static void frame(WINDOW *w)
{
	static const wchar_t glyph[] = {L'\u2502', L'\u2502', L'\u2500', L'\u2500',
	                                L'\u250c', L'\u2510', L'\u2514', L'\u2518'};
	cchar_t c[8];

	for (int i = 0; i < 8; i++) {
		wchar_t wc[2] = {glyph[i], L'\0'};
		setcchar(&c[i], wc, A_NORMAL, 0, NULL);
	}
	wborder_set(w, &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7]);
}

void ui_confirm_draw(const struct ui_confirm *c, int top, int height)
{
	int width = COLS - 8;

	if (!c->open || width < 20)
		return;
	int lines = ui_widget_wrap(NULL, 0, 0, width - 4, height, c->text, A_NORMAL);
	int h = lines + 6;
	if (h > height)
		h = height;
	WINDOW *w = newwin(h, width, top + (height - h) / 2, 4);
	if (!w)
		return;
	wbkgdset(w, (chtype)ui_theme_attr(UI_FACE_NORMAL) | ' ');
	werase(w);
	wattrset(w, ui_theme_attr(UI_FACE_NORMAL));
	frame(w);
	ui_widget_put(w, 0, 2, width - 4, c->title, ui_theme_attr(UI_FACE_WARNING) | A_BOLD, false);
	ui_widget_wrap(w, 2, 2, width - 4, h - 5, c->text, ui_theme_attr(UI_FACE_NORMAL));
	int x = 2;
	x += ui_widget_put(w, h - 2, x, width - 4, c->yes, ui_theme_attr(UI_FACE_HINT_KEY), false);
	x += 3;
	if (x < width - 4)
		ui_widget_put(w, h - 2, x, width - 2 - x, c->no, ui_theme_attr(UI_FACE_HINT_KEY),
		              false);
	wnoutrefresh(w);
	delwin(w);
}
