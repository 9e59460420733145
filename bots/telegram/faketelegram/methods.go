package faketelegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The Bot API methods the fake serves, each checking its parameters the
// way Telegram does.

// readParams collects the parameters of a request, whichever way the
// client encoded them.
func readParams(w http.ResponseWriter, r *http.Request) (map[string]string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<20)
	out := map[string]string{}
	for k, v := range r.URL.Query() {
		out[k] = v[0]
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var m map[string]json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			return out, fmt.Errorf("bad JSON body: %v", err)
		}
		for k, raw := range m {
			var str string
			if json.Unmarshal(raw, &str) == nil {
				out[k] = str
			} else {
				out[k] = string(raw)
			}
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return out, fmt.Errorf("bad multipart body: %v", err)
		}
		for k, v := range r.MultipartForm.Value {
			out[k] = v[0]
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return out, fmt.Errorf("bad form body: %v", err)
		}
		for k, v := range r.PostForm {
			out[k] = v[0]
		}
	}
	return out, nil
}

func (s *Server) call(ctx context.Context, method string, p map[string]string) (int, response) {
	switch method {
	case "getMe":
		return ok(s.me)
	case "getUpdates":
		return s.getUpdates(ctx, p)
	case "sendMessage":
		return s.sendMessage(p)
	case "editMessageText":
		return s.editMessageText(p)
	case "answerCallbackQuery":
		return s.answerCallbackQuery(p)
	case "setMyCommands":
		return s.setMyCommands(p)
	case "setWebhook":
		return s.setWebhook(p)
	case "deleteWebhook":
		s.mu.Lock()
		s.webhookURL, s.secret = "", ""
		if p["drop_pending_updates"] == "true" {
			s.pending = nil
		}
		s.mu.Unlock()
		return ok(true)
	}
	return fail(http.StatusNotFound, "Not Found")
}

func (s *Server) getUpdates(ctx context.Context, p map[string]string) (int, response) {
	offset, _ := strconv.Atoi(p["offset"])
	limit, err := strconv.Atoi(p["limit"])
	if err != nil || limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(p["timeout"])
	deadline := time.NewTimer(time.Duration(timeout) * time.Second)
	defer deadline.Stop()

	s.mu.Lock()
	s.polls++
	s.notify()
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.polls--
		s.notify()
		s.mu.Unlock()
	}()
	for {
		s.mu.Lock()
		if s.webhookURL != "" {
			s.mu.Unlock()
			return fail(http.StatusConflict, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
		}
		if offset > 0 {
			s.confirm(offset)
		}
		batch := append([]Update{}, s.pending[:min(limit, len(s.pending))]...)
		ch := s.changed
		s.mu.Unlock()
		if len(batch) > 0 || timeout <= 0 {
			return ok(batch)
		}
		select {
		case <-ch:
		case <-deadline.C:
			return ok([]Update{})
		case <-ctx.Done():
			return ok([]Update{})
		case <-s.closed:
			return ok([]Update{})
		}
	}
}

// parseText checks a message text like Telegram and returns what the
// user sees and its entities.
func parseText(p map[string]string) (string, []MessageEntity, int, response) {
	text := p["text"]
	var entities []MessageEntity
	switch mode := p["parse_mode"]; mode {
	case "HTML":
		var err error
		text, entities, err = ParseHTML(text)
		if err != nil {
			st, res := fail(http.StatusBadRequest, "Bad Request: "+err.Error())
			return "", nil, st, res
		}
	case "":
		if !utf8.ValidString(text) {
			st, res := fail(http.StatusBadRequest, "Bad Request: text must be encoded in UTF-8")
			return "", nil, st, res
		}
	default:
		st, res := fail(http.StatusBadRequest, "Bad Request: unsupported parse_mode "+strconv.Quote(mode)+" in this fake")
		return "", nil, st, res
	}
	if strings.TrimSpace(text) == "" {
		st, res := fail(http.StatusBadRequest, "Bad Request: message text is empty")
		return "", nil, st, res
	}
	if UTF16Len(text) > MaxMessageLen {
		st, res := fail(http.StatusBadRequest, "Bad Request: message is too long")
		return "", nil, st, res
	}
	return text, entities, 0, response{}
}

// checkMarkup validates an inline keyboard and returns it as JSON.
func checkMarkup(raw string) (json.RawMessage, error) {
	if raw == "" {
		return nil, nil
	}
	var kb keyboard
	if err := json.Unmarshal([]byte(raw), &kb); err != nil {
		return nil, fmt.Errorf("can't parse reply keyboard markup JSON object")
	}
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			if b.Text == "" {
				return nil, fmt.Errorf("text buttons are unallowed in the inline keyboard")
			}
			if b.CallbackData != nil && (len(*b.CallbackData) == 0 || len(*b.CallbackData) > 64) {
				return nil, fmt.Errorf("BUTTON_DATA_INVALID")
			}
			if b.CallbackData == nil && b.URL == nil {
				return nil, fmt.Errorf("button without an action")
			}
		}
	}
	return json.RawMessage(raw), nil
}

func (s *Server) sendMessage(p map[string]string) (int, response) {
	chatID, err := strconv.ParseInt(p["chat_id"], 10, 64)
	if err != nil || chatID == 0 {
		return fail(http.StatusBadRequest, "Bad Request: chat not found")
	}
	text, entities, st, res := parseText(p)
	if st != 0 {
		return st, res
	}
	markup, err := checkMarkup(p["reply_markup"])
	if err != nil {
		return fail(http.StatusBadRequest, "Bad Request: "+err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	chat, known := s.chats[chatID]
	if !known {
		chat = Chat{ID: chatID, Type: "private"}
		if chatID < 0 {
			chat.Type = "group"
		}
	}
	s.nextMessage++
	me := s.me
	m := &Message{MessageID: s.nextMessage, From: &me, Date: time.Now().Unix(), Chat: chat, Text: text, Entities: entities, ReplyMarkup: markup}
	if raw := p["reply_parameters"]; raw != "" {
		var rp struct {
			MessageID int `json:"message_id"`
		}
		if err := json.Unmarshal([]byte(raw), &rp); err != nil {
			return fail(http.StatusBadRequest, "Bad Request: can't parse reply parameters JSON object")
		}
		if to, ok := s.messages[msgKey{chatID, rp.MessageID}]; ok {
			cp := *to
			cp.ReplyToMessage = nil
			m.ReplyToMessage = &cp
		}
	}
	s.messages[msgKey{chatID, m.MessageID}] = m
	return ok(*m)
}

func (s *Server) editMessageText(p map[string]string) (int, response) {
	chatID, _ := strconv.ParseInt(p["chat_id"], 10, 64)
	msgID, _ := strconv.Atoi(p["message_id"])
	text, entities, st, res := parseText(p)
	if st != 0 {
		return st, res
	}
	markup, err := checkMarkup(p["reply_markup"])
	if err != nil {
		return fail(http.StatusBadRequest, "Bad Request: "+err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, found := s.messages[msgKey{chatID, msgID}]
	if !found || m.From == nil || m.From.ID != s.me.ID {
		return fail(http.StatusBadRequest, "Bad Request: message to edit not found")
	}
	if m.Text == text && bytes.Equal(m.ReplyMarkup, markup) {
		return fail(http.StatusBadRequest, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	m.Text, m.Entities, m.ReplyMarkup, m.EditDate = text, entities, markup, time.Now().Unix()
	return ok(*m)
}

func (s *Server) answerCallbackQuery(p map[string]string) (int, response) {
	id := p["callback_query_id"]
	if UTF16Len(p["text"]) > 200 {
		return fail(http.StatusBadRequest, "Bad Request: MESSAGE_TOO_LONG")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	answered, known := s.queries[id]
	if !known || answered {
		return fail(http.StatusBadRequest, "Bad Request: query is too old and response timeout expired or query ID is invalid")
	}
	s.queries[id] = true
	return ok(true)
}

var commandName = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

func (s *Server) setMyCommands(p map[string]string) (int, response) {
	var cmds []botCommand
	if err := json.Unmarshal([]byte(p["commands"]), &cmds); err != nil {
		return fail(http.StatusBadRequest, "Bad Request: can't parse commands JSON array")
	}
	for _, c := range cmds {
		if !commandName.MatchString(c.Command) {
			return fail(http.StatusBadRequest, "Bad Request: BOT_COMMAND_INVALID")
		}
		if n := UTF16Len(c.Description); n < 1 || n > 256 {
			return fail(http.StatusBadRequest, "Bad Request: command description must be 1-256 characters")
		}
	}
	return ok(true)
}

var secretToken = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func (s *Server) setWebhook(p map[string]string) (int, response) {
	url := p["url"]
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		return fail(http.StatusBadRequest, "Bad Request: bad webhook: an HTTPS URL must be provided for webhook")
	}
	if sec := p["secret_token"]; sec != "" && !secretToken.MatchString(sec) {
		return fail(http.StatusBadRequest, "Bad Request: bad webhook: secret token contains unallowed characters")
	}
	s.mu.Lock()
	s.webhookURL, s.secret = url, p["secret_token"]
	if p["drop_pending_updates"] == "true" {
		s.pending = nil
	}
	s.notify()
	s.mu.Unlock()
	return ok(true)
}
