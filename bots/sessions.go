package bots

import (
	"crypto/rand"
	"encoding/base32"
	"sync"
	"time"
)

// Sessions keeps answers that carry buttons ("Meer", 👍, 👎) on the
// server, so that a button needs only a short key: Discord allows 100
// characters of custom_id and Telegram 64 bytes of callback_data, too
// little for a question. Entries expire after a time and the oldest go
// first when the table is full; an expired key gets the Expired text.
type Sessions struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu    sync.Mutex
	m     map[string]*session
	order []string // keys in insertion order, for eviction
}

type session struct {
	a       Answer
	expires time.Time
}

// KeyLen is the length of a session key: 10 characters of base32
// (50 random bits).
const KeyLen = 10

// NewSessions keeps at most max answers for ttl each.
func NewSessions(ttl time.Duration, max int) *Sessions {
	if ttl <= 0 {
		ttl = 24 * time.Hour
	}
	if max <= 0 {
		max = 10000
	}
	return &Sessions{ttl: ttl, max: max, now: time.Now, m: map[string]*session{}}
}

var keyEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// Put stores an answer and returns its key.
func (s *Sessions) Put(a Answer) string {
	var b [8]byte
	rand.Read(b[:])
	key := keyEncoding.EncodeToString(b[:])[:KeyLen]
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.evict(now)
	s.m[key] = &session{a: a, expires: now.Add(s.ttl)}
	s.order = append(s.order, key)
	return key
}

// Get returns the answer stored under key, if it has not expired.
func (s *Sessions) Get(key string) (Answer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[key]
	if !ok || s.now().After(e.expires) {
		return Answer{}, false
	}
	return e.a, true
}

// Replace stores a under an existing key (the next page of the same
// message) and renews its expiry; it reports false when the key is gone.
func (s *Sessions) Replace(key string, a Answer) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[key]
	if !ok {
		return false
	}
	e.a = a
	e.expires = s.now().Add(s.ttl)
	return true
}

// Len is the number of stored answers, expired ones included until they
// are evicted.
func (s *Sessions) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

// evict drops expired entries from the front of the order and, when the
// table is full, the oldest ones. Called with mu held.
func (s *Sessions) evict(now time.Time) {
	i := 0
	for ; i < len(s.order); i++ {
		key := s.order[i]
		e, ok := s.m[key]
		if !ok {
			continue
		}
		if len(s.m) < s.max && !now.After(e.expires) {
			break
		}
		delete(s.m, key)
	}
	s.order = s.order[i:]
	if cap(s.order) > 4*len(s.order)+64 {
		s.order = append([]string(nil), s.order...)
	}
}
