package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// The SDK's request path (BotAPI.MakeRequest) takes no context, so a
// long poll could not be cancelled. Only the SDK's constructor (getMe)
// uses it; every other call goes through call, which builds the same
// form-encoded POST to the same endpoint with http.NewRequestWithContext
// and decodes the answer into the SDK's types (APIResponse, Error).
//
// The token is part of every URL, and net/http puts the URL in its
// errors ("Post \"https://api.telegram.org/bot<token>/getUpdates\": EOF").
// Every error that leaves this file has the token replaced.

// callTimeout bounds a call other than getUpdates.
const callTimeout = 30 * time.Second

// maxResponse bounds the size of a Bot API response we read.
const maxResponse = 16 << 20

// call makes a Bot API request and returns its result.
func (b *Bot) call(ctx context.Context, method string, params tgbotapi.Params) (json.RawMessage, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, callTimeout)
		defer cancel()
	}
	form := url.Values{}
	for k, v := range params {
		form.Set(k, v)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf(b.endpoint, b.token, method), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, b.redact(fmt.Errorf("telegram %s: %w", method, err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.hc.Do(req)
	if err != nil {
		return nil, b.redact(fmt.Errorf("telegram %s: %w", method, b.redactURL(err)))
	}
	defer resp.Body.Close()
	var ar tgbotapi.APIResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponse)).Decode(&ar); err != nil {
		return nil, b.redact(fmt.Errorf("telegram %s: HTTP %d: decode response: %w", method, resp.StatusCode, err))
	}
	if !ar.Ok {
		e := &tgbotapi.Error{Code: ar.ErrorCode, Message: ar.Description}
		if e.Code == 0 {
			e.Code = resp.StatusCode
		}
		if ar.Parameters != nil {
			e.ResponseParameters = *ar.Parameters
		}
		return nil, b.redact(fmt.Errorf("telegram %s: %d: %w", method, e.Code, e))
	}
	return ar.Result, nil
}

// redactURL replaces the token in the URL of a *url.Error, keeping the
// error's chain (timeouts, context cancellation) intact.
func (b *Bot) redactURL(err error) error {
	var ue *url.Error
	if b.token == "" || !errors.As(err, &ue) || !strings.Contains(ue.URL, b.token) {
		return err
	}
	return &url.Error{Op: ue.Op, URL: strings.ReplaceAll(ue.URL, b.token, "<token>"), Err: ue.Err}
}

// redact is the last line of defence: an error whose text still holds
// the token is replaced by one that does not. It still matches
// errors.Is targets (context.Canceled and the like) but no longer lets
// errors.As reach the original.
func (b *Bot) redact(err error) error {
	if err == nil || b.token == "" || !strings.Contains(err.Error(), b.token) {
		return err
	}
	return &redactedError{msg: strings.ReplaceAll(err.Error(), b.token, "<token>"), cause: err}
}

type redactedError struct {
	msg   string
	cause error
}

func (e *redactedError) Error() string        { return e.msg }
func (e *redactedError) Is(target error) bool { return errors.Is(e.cause, target) }

// sdkClient is the HTTP client handed to the SDK for its constructor's
// getMe: it binds the request to a context and redacts errors.
type sdkClient struct {
	ctx context.Context
	b   *Bot
}

func (c sdkClient) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.b.hc.Do(req.WithContext(c.ctx))
	if err != nil {
		return nil, c.b.redact(c.b.redactURL(err))
	}
	return resp, nil
}

// apiError returns the Bot API error in err's chain, if any.
func apiError(err error) (*tgbotapi.Error, bool) {
	var e *tgbotapi.Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// retryAfter is how long Telegram asked us to wait after a 429, or 0.
func retryAfter(err error) time.Duration {
	e, ok := apiError(err)
	if !ok || e.Code != http.StatusTooManyRequests {
		return 0
	}
	return time.Duration(max(e.RetryAfter, 1)) * time.Second
}

// errorCode is the Bot API error code in err, or 0 for other errors
// (network, decoding).
func errorCode(err error) int {
	if e, ok := apiError(err); ok {
		return e.Code
	}
	return 0
}

// transient reports whether a failed call may succeed when repeated:
// network errors and server errors, not requests Telegram refused.
func transient(err error) bool {
	code := errorCode(err)
	return code == 0 || code >= 500 || code == http.StatusTooManyRequests
}
