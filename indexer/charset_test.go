package indexer

import (
	"encoding/binary"
	"testing"
	"unicode/utf16"
)

func utf16LE(s string, bom bool) []byte {
	var b []byte
	if bom {
		b = append(b, 0xFF, 0xFE)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

func utf16BE(s string) []byte {
	b := []byte{0xFE, 0xFF}
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.BigEndian.AppendUint16(b, u)
	}
	return b
}

func TestDecodeHTML(t *testing.T) {
	const page = "<p>Eén gezin, één plan — café €5</p>"
	tests := []struct {
		name        string
		body        []byte
		contentType string
		want        string
		wantCharset string
	}{
		{"plain utf-8", []byte(page), "", page, "utf-8"},
		{"windows-1252 without declaration",
			[]byte("<p>E\xe9n gezin, \xe9\xe9n plan \x97 caf\xe9 \x805</p>"), "text/html", page, "windows-1252"},
		{"latin-1 meta, valid utf-8 bytes stay utf-8",
			[]byte(`<meta charset="iso-8859-1">` + page), "text/html", `<meta charset="iso-8859-1">` + page, "utf-8"},
		{"gb2312 meta, valid utf-8 bytes stay utf-8",
			[]byte(`<meta http-equiv="Content-Type" content="text/html; charset=gb2312">` + page), "",
			`<meta http-equiv="Content-Type" content="text/html; charset=gb2312">` + page, "utf-8"},
		{"meta charset used for invalid utf-8",
			[]byte("<meta charset=\"iso-8859-15\"><p>prijs \xa4 5</p>"), "text/html",
			`<meta charset="iso-8859-15"><p>prijs € 5</p>`, "iso-8859-15"},
		{"Content-Type charset wins over meta",
			[]byte("<meta charset=\"utf-8\"><p>caf\xe9</p>"), "text/html; charset=ISO-8859-1",
			`<meta charset="utf-8"><p>café</p>`, "windows-1252"},
		{"Content-Type charset wins over valid utf-8",
			[]byte("<p>café</p>"), "text/html; charset=windows-1252", "<p>cafÃ©</p>", "windows-1252"},
		{"Content-Type utf-8 repairs bad bytes",
			[]byte("<p>caf\xe9</p>"), "text/html; charset=UTF-8", "<p>caf\uFFFD</p>", "utf-8"},
		{"unknown Content-Type charset ignored",
			[]byte("<p>café</p>"), "text/html; charset=x-klingon", "<p>café</p>", "utf-8"},
		{"utf-8 BOM wins over Content-Type",
			append([]byte("\xef\xbb\xbf"), page...), "text/html; charset=iso-8859-1", page, "utf-8"},
		{"UTF-16LE BOM", utf16LE(page, true), "", page, "utf-16le"},
		{"UTF-16LE BOM wins over Content-Type", utf16LE(page, true), "text/html; charset=utf-8", page, "utf-16le"},
		{"UTF-16BE BOM", utf16BE(page), "", page, "utf-16be"},
		{"empty", nil, "", "", "utf-8"},
	}
	for _, tt := range tests {
		got, cs := DecodeHTML(tt.body, tt.contentType)
		if got != tt.want || cs != tt.wantCharset {
			t.Errorf("%s: DecodeHTML = %q, %q; want %q, %q", tt.name, got, cs, tt.want, tt.wantCharset)
		}
	}
}
