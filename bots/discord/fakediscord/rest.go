package fakediscord

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// RateLimit makes the next Count requests whose method is Method ("" =
// any) and whose path (below /api/v10) starts with PathPrefix answer
// 429 with RetryAfter, as Discord does: retry_after in the body,
// Retry-After and X-RateLimit-* headers.
type RateLimit struct {
	Method     string
	PathPrefix string
	Count      int
	RetryAfter time.Duration
	Global     bool
}

type limitRule struct{ RateLimit }

// LimitRate adds a rate-limit rule.
func (s *Server) LimitRate(rl RateLimit) {
	s.mu.Lock()
	s.limits = append(s.limits, &limitRule{rl})
	s.mu.Unlock()
}

// apiError is Discord's error body.
type apiError struct {
	Message string `json:"message"`
	Code    int    `json:"code"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// statusWriter remembers the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// restHandler records every request, applies rate limits and checks the
// bot token, then hands over to the endpoints.
func (s *Server) restHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /gateway", s.getGateway)
	mux.HandleFunc("GET /gateway/bot", s.getGateway)
	mux.HandleFunc("GET /users/@me", s.getMe)
	mux.HandleFunc("PUT /applications/{app}/commands", s.putCommands)
	mux.HandleFunc("PUT /applications/{app}/guilds/{guild}/commands", s.putCommands)
	mux.HandleFunc("POST /interactions/{id}/{token}/callback", s.callback)
	mux.HandleFunc("PATCH /webhooks/{app}/{token}/messages/@original", s.editOriginal)
	mux.HandleFunc("POST /webhooks/{app}/{token}", s.followup)
	mux.HandleFunc("POST /channels/{channel}/messages", s.createMessage)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), At: time.Now()}
		if len(body) > 0 {
			rec.Body = json.RawMessage(body)
		}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		switch {
		case s.limited(sw, r):
		case !strings.HasPrefix(r.URL.Path, "/webhooks/") && !strings.HasPrefix(r.URL.Path, "/interactions/") &&
			!s.checkToken(strings.TrimPrefix(r.Header.Get("Authorization"), "Bot ")):
			writeJSON(sw, http.StatusUnauthorized, apiError{Message: "401: Unauthorized"})
		default:
			sw.Header().Set("X-RateLimit-Limit", "5")
			sw.Header().Set("X-RateLimit-Remaining", "4")
			sw.Header().Set("X-RateLimit-Reset-After", "1.000")
			sw.Header().Set("X-RateLimit-Bucket", "fakebucket")
			mux.ServeHTTP(sw, r)
		}
		rec.Status = sw.status
		s.mu.Lock()
		s.requests = append(s.requests, rec)
		s.notify()
		s.mu.Unlock()
	})
}

func (s *Server) limited(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	var hit *limitRule
	for _, l := range s.limits {
		if l.Count > 0 && (l.Method == "" || l.Method == r.Method) && strings.HasPrefix(r.URL.Path, l.PathPrefix) {
			l.Count--
			hit = l
			break
		}
	}
	s.mu.Unlock()
	if hit == nil {
		return false
	}
	secs := hit.RetryAfter.Seconds()
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(int(secs+0.999)))
	h.Set("X-RateLimit-Limit", "5")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset", fmt.Sprintf("%.3f", float64(time.Now().Add(hit.RetryAfter).UnixMilli())/1000))
	h.Set("X-RateLimit-Reset-After", fmt.Sprintf("%.3f", secs))
	h.Set("X-RateLimit-Bucket", "fakebucket")
	scope := "user"
	if hit.Global {
		h.Set("X-RateLimit-Global", "true")
		scope = "global"
	}
	h.Set("X-RateLimit-Scope", scope)
	writeJSON(w, http.StatusTooManyRequests, map[string]any{
		"message": "You are being rate limited.", "retry_after": secs, "global": hit.Global,
	})
	return true
}

func (s *Server) getGateway(w http.ResponseWriter, r *http.Request) {
	out := map[string]any{"url": s.GatewayURL()}
	if strings.HasSuffix(r.URL.Path, "/bot") {
		out["shards"] = 1
		out["session_start_limit"] = map[string]any{"total": 1000, "remaining": 999, "reset_after": 86400000, "max_concurrency": 1}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getMe(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.base.user(s.opts.BotID, s.opts.BotName, true))
}

func (s *Server) putCommands(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("app") != s.opts.AppID {
		writeJSON(w, http.StatusNotFound, apiError{Message: "Unknown Application", Code: 10002})
		return
	}
	var cmds []map[string]any
	if err := json.NewDecoder(r.Body).Decode(&cmds); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Message: "400: Bad Request", Code: 50109})
		return
	}
	scope := "global"
	if g := r.PathValue("guild"); g != "" {
		scope = g
	}
	for _, c := range cmds {
		c["id"], c["application_id"], c["version"] = s.snowflake(), s.opts.AppID, s.snowflake()
		if scope != "global" {
			c["guild_id"] = scope
		}
	}
	raw, _ := json.Marshal(cmds)
	s.mu.Lock()
	s.commands[scope] = raw
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, cmds)
}

// Commands returns the commands registered for scope ("global" or a
// guild id), as the bot sent them plus ids.
func (s *Server) Commands(scope string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commands[scope]
}

func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Type int             `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Message: "Invalid Form Body", Code: 50035})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.interactions[r.PathValue("token")]
	if !ok || in.ID != r.PathValue("id") {
		writeJSON(w, http.StatusNotFound, apiError{Message: "Unknown interaction", Code: 10062})
		return
	}
	if !in.Responded.IsZero() {
		writeJSON(w, http.StatusBadRequest, apiError{Message: "Interaction has already been acknowledged.", Code: 40060})
		return
	}
	switch body.Type {
	case 4, 5, 6, 7:
	default:
		writeJSON(w, http.StatusBadRequest, apiError{Message: "Invalid Form Body", Code: 50035})
		return
	}
	if body.Type == 4 || body.Type == 7 {
		if err := checkMessage(body.Data); err != nil {
			writeJSON(w, http.StatusBadRequest, apiError{Message: "Invalid Form Body: " + err.Error(), Code: 50035})
			return
		}
	}
	in.Responded, in.Response = time.Now(), body.Type
	if body.Type == 4 || body.Type == 5 {
		in.MessageID = s.snowflakeLocked()
		s.messages[in.MessageID] = s.messageLocked(in.MessageID, "", body.Data)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) editOriginal(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.interactions[r.PathValue("token")]
	if !ok || in.Responded.IsZero() || r.PathValue("app") != s.opts.AppID {
		writeJSON(w, http.StatusNotFound, apiError{Message: "Unknown Webhook", Code: 10015})
		return
	}
	body, _ := io.ReadAll(r.Body)
	if !s.acceptMessage(w, body) {
		return
	}
	if in.Edited.IsZero() {
		in.Edited = time.Now()
	}
	if in.MessageID == "" {
		in.MessageID = s.snowflakeLocked()
	}
	s.messages[in.MessageID] = s.messageLocked(in.MessageID, "", body)
	w.Header().Set("Content-Type", "application/json")
	w.Write(s.messages[in.MessageID])
}

func (s *Server) followup(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.interactions[r.PathValue("token")]
	if !ok || in.Responded.IsZero() || r.PathValue("app") != s.opts.AppID {
		writeJSON(w, http.StatusNotFound, apiError{Message: "Unknown Webhook", Code: 10015})
		return
	}
	s.newMessageLocked(w, "", r.Body)
}

func (s *Server) createMessage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.newMessageLocked(w, r.PathValue("channel"), r.Body)
}

func (s *Server) newMessageLocked(w http.ResponseWriter, channel string, r io.Reader) {
	body, _ := io.ReadAll(r)
	if !s.acceptMessage(w, body) {
		return
	}
	id := s.snowflakeLocked()
	s.messages[id] = s.messageLocked(id, channel, body)
	w.Header().Set("Content-Type", "application/json")
	w.Write(s.messages[id])
}

// acceptMessage answers 400 to a message Discord would refuse: over a
// limit, or with nothing to show.
func (s *Server) acceptMessage(w http.ResponseWriter, body []byte) bool {
	if err := checkMessage(body); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Message: "Invalid Form Body: " + err.Error(), Code: 50035})
		return false
	}
	var m struct {
		Content    string `json:"content"`
		Embeds     []any  `json:"embeds"`
		Components []any  `json:"components"`
	}
	if json.Unmarshal(body, &m) != nil || (m.Content == "" && len(m.Embeds) == 0 && len(m.Components) == 0) {
		writeJSON(w, http.StatusBadRequest, apiError{Message: "Cannot send an empty message", Code: 50006})
		return false
	}
	return true
}

// messageLocked makes the message object Discord would return for a
// message the bot sent.
func (s *Server) messageLocked(id, channel string, body []byte) json.RawMessage {
	m := map[string]any{}
	json.Unmarshal(body, &m)
	delete(m, "allowed_mentions")
	delete(m, "message_reference")
	m["id"], m["channel_id"], m["type"] = id, channel, 0
	m["author"] = s.base.user(s.opts.BotID, s.opts.BotName, true)
	m["timestamp"] = time.Now().UTC().Format("2006-01-02T15:04:05.000000+00:00")
	raw, _ := json.Marshal(m)
	return raw
}

// checkMessage enforces the limits Discord enforces on a message,
// counted in code points; Discord answers 400 when one is exceeded.
func checkMessage(body []byte) error {
	if len(body) == 0 || string(body) == "null" {
		return nil
	}
	var m struct {
		Content string `json:"content"`
		Embeds  []struct {
			Title       string `json:"title"`
			Description string `json:"description"`
			URL         string `json:"url"`
			Footer      *struct {
				Text string `json:"text"`
			} `json:"footer"`
			Fields []struct{ Name, Value string } `json:"fields"`
		} `json:"embeds"`
		Components []struct {
			Type       int `json:"type"`
			Components []struct {
				CustomID string `json:"custom_id"`
				Label    string `json:"label"`
			} `json:"components"`
		} `json:"components"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return err
	}
	n := utf8.RuneCountInString
	if n(m.Content) > 2000 {
		return fmt.Errorf("content: %d > 2000", n(m.Content))
	}
	if len(m.Embeds) > 10 {
		return fmt.Errorf("embeds: %d > 10", len(m.Embeds))
	}
	total := 0
	for i, e := range m.Embeds {
		switch {
		case n(e.Title) > 256:
			return fmt.Errorf("embeds[%d].title too long", i)
		case n(e.Description) > 4096:
			return fmt.Errorf("embeds[%d].description too long", i)
		case e.URL != "" && !strings.HasPrefix(e.URL, "http://") && !strings.HasPrefix(e.URL, "https://"):
			return fmt.Errorf("embeds[%d].url: not a well formed URL", i)
		}
		total += n(e.Title) + n(e.Description)
		if e.Footer != nil {
			total += n(e.Footer.Text)
		}
		for _, f := range e.Fields {
			total += n(f.Name) + n(f.Value)
		}
	}
	if total > 6000 {
		return fmt.Errorf("embeds: %d characters > 6000", total)
	}
	if len(m.Components) > 5 {
		return fmt.Errorf("components: %d rows > 5", len(m.Components))
	}
	for i, row := range m.Components {
		if row.Type != 1 || len(row.Components) == 0 || len(row.Components) > 5 {
			return fmt.Errorf("components[%d]: bad action row", i)
		}
		for _, c := range row.Components {
			if c.CustomID == "" || len(c.CustomID) > 100 || n(c.Label) > 80 {
				return fmt.Errorf("components[%d]: bad button", i)
			}
		}
	}
	return nil
}
