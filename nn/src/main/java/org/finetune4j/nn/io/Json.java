package org.finetune4j.nn.io;

/**
 * Just enough JSON for a safetensors header, with no library: a pull reader that the header
 * parser drives member by member (so no tree of untrusted size is built and nothing recurses),
 * and string quoting for the writer. Hostile-input contract: every malformed input ends in a
 * {@link SafetensorsException} naming the character position; nesting is capped at
 * {@link Reader#MAX_DEPTH}; the text itself is already capped by the caller.
 */
final class Json {
    private Json() {}

    /** s as a JSON string literal; surrogates and controls escaped so any Java string survives. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    // A lone surrogate has no UTF-8 encoding; the escape keeps it intact.
                    if (c < 0x20 || Character.isSurrogate(c)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** A name fit for an error message: quoted, and cut to 80 characters. */
    static String show(String s) {
        if (s.length() <= 80) return quote(s);
        return quote(s.substring(0, 80)) + "…(" + s.length() + " chars)";
    }

    static final class Reader {
        static final int MAX_DEPTH = 8;                    // a header needs 3: {n: {shape: [..]}}
        private static final String LONG_MAX = Long.toString(Long.MAX_VALUE);

        private final String text;
        private int pos;
        private int depth;
        private final boolean[] inObject = new boolean[MAX_DEPTH];
        private final boolean[] first = new boolean[MAX_DEPTH];

        Reader(String text) {
            this.text = text;
        }

        void beginObject(String what) throws SafetensorsException {
            open('{', true, what);
        }

        void beginArray(String what) throws SafetensorsException {
            open('[', false, what);
        }

        private void open(char bracket, boolean object, String what) throws SafetensorsException {
            if (peek() != bracket) {
                throw error(what + " must be a JSON " + (object ? "object" : "array"));
            }
            if (depth == MAX_DEPTH) throw error("JSON nested deeper than " + MAX_DEPTH + " levels");
            pos++;
            inObject[depth] = object;
            first[depth] = true;
            depth++;
        }

        /** True when the open object or array has another member; consumes ',' or the closer. */
        boolean hasNext() throws SafetensorsException {
            char close = inObject[depth - 1] ? '}' : ']';
            char c = peek();
            if (c == close) {
                pos++;
                depth--;
                return false;
            }
            if (first[depth - 1]) {
                first[depth - 1] = false;
                return true;
            }
            if (c != ',') throw error("expected ',' or '" + close + "'");
            pos++;
            return true;
        }

        /** The next member name of the open object, with its ':' consumed. */
        String nextName() throws SafetensorsException {
            String name = readString("a member name");
            if (peek() != ':') throw error("expected ':' after member name " + show(name));
            pos++;
            return name;
        }

        String readString(String what) throws SafetensorsException {
            if (peek() != '"') throw error(what + " must be a JSON string");
            pos++;
            StringBuilder b = new StringBuilder();
            while (true) {
                if (pos >= text.length()) throw error("unterminated string");
                char c = text.charAt(pos++);
                if (c == '"') return b.toString();
                if (c < 0x20) {
                    throw error("raw control character 0x" + Integer.toHexString(c)
                            + " in a string");
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (pos >= text.length()) throw error("unterminated escape");
                char e = text.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> b.append(readHex4());
                    default -> throw error("bad escape '\\" + e + "'");
                }
            }
        }

        private char readHex4() throws SafetensorsException {
            if (pos + 4 > text.length()) throw error("truncated \\u escape");
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int d = Character.digit(text.charAt(pos++), 16);
                if (d < 0) throw error("bad hex digit in \\u escape");
                v = v * 16 + d;
            }
            return (char) v;
        }

        /** A JSON integer in [0, 2^63); fractions, exponents, signs and overflow are errors. */
        long readNonNegativeLong(String what) throws SafetensorsException {
            char c = peek();
            int start = pos;
            while (pos < text.length() && isNumberChar(text.charAt(pos))) pos++;
            String token = text.substring(start, pos);
            if (token.isEmpty()) {
                throw error(what + " must be a non-negative integer, found '" + c + "'");
            }
            if (!isPlainInteger(token)) {
                throw error(what + " must be a non-negative integer, found " + show(token));
            }
            boolean fits = token.length() < LONG_MAX.length()
                    || token.length() == LONG_MAX.length() && token.compareTo(LONG_MAX) <= 0;
            if (!fits) throw error(what + " " + show(token) + " is too large");
            return Long.parseLong(token);
        }

        // JSON's int grammar without sign: 0 or [1-9][0-9]* (no leading zeros).
        private static boolean isPlainInteger(String token) {
            for (int i = 0; i < token.length(); i++) {
                if (token.charAt(i) < '0' || token.charAt(i) > '9') return false;
            }
            return token.length() == 1 || token.charAt(0) != '0';
        }

        private static boolean isNumberChar(char c) {
            boolean digit = c >= '0' && c <= '9';
            return digit || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
        }

        /** Requires that only whitespace (the format's padding) follows the top-level value. */
        void end() throws SafetensorsException {
            skipSpace();
            if (pos != text.length()) throw error("unexpected characters after the header object");
        }

        /** The next non-space character, not consumed. */
        private char peek() throws SafetensorsException {
            skipSpace();
            if (pos >= text.length()) throw error("header ends early");
            return text.charAt(pos);
        }

        private void skipSpace() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
                pos++;
            }
        }

        SafetensorsException error(String message) {
            return new SafetensorsException("header JSON, character " + pos + ": " + message);
        }
    }
}
