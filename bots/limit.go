package bots

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter limits questions per user and per channel with token buckets,
// so one busy user or a flood in one channel cannot starve the others.
// Keys are platform ids held in memory only, never logged or stored.
type Limiter struct {
	user, channel bucketSpec
	now           func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucketSpec struct {
	every time.Duration
	burst int
}

type bucket struct {
	l    *rate.Limiter
	seen time.Time
}

// LimitConfig sets the limits; zero values take the defaults: a user may
// ask 5 questions at once and then one per 6 s (10 a minute); a channel
// 20 at once and then one per 2 s.
type LimitConfig struct {
	UserEvery    time.Duration
	UserBurst    int
	ChannelEvery time.Duration
	ChannelBurst int
}

// NewLimiter makes a limiter.
func NewLimiter(c LimitConfig) *Limiter {
	if c.UserEvery <= 0 {
		c.UserEvery = 6 * time.Second
	}
	if c.UserBurst <= 0 {
		c.UserBurst = 5
	}
	if c.ChannelEvery <= 0 {
		c.ChannelEvery = 2 * time.Second
	}
	if c.ChannelBurst <= 0 {
		c.ChannelBurst = 20
	}
	return &Limiter{
		user:    bucketSpec{c.UserEvery, c.UserBurst},
		channel: bucketSpec{c.ChannelEvery, c.ChannelBurst},
		now:     time.Now,
		buckets: map[string]*bucket{},
	}
}

// Allow reports whether a question from user in channel may be answered
// now, and takes a token from both buckets when it may. An empty user or
// channel is not limited on that side.
func (l *Limiter) Allow(user, channel string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	var ub, cb *bucket
	if user != "" {
		ub = l.get("u:"+user, l.user, now)
	}
	if channel != "" {
		cb = l.get("c:"+channel, l.channel, now)
	}
	// Check both before taking from either, so a refusal costs nothing.
	if ub != nil && ub.l.TokensAt(now) < 1 {
		return false
	}
	if cb != nil && cb.l.TokensAt(now) < 1 {
		return false
	}
	if ub != nil {
		ub.l.AllowN(now, 1)
	}
	if cb != nil {
		cb.l.AllowN(now, 1)
	}
	return true
}

func (l *Limiter) get(key string, spec bucketSpec, now time.Time) *bucket {
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{l: rate.NewLimiter(rate.Every(spec.every), spec.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	return b
}

// sweep forgets buckets idle long enough to be full again, at most once
// a minute, so memory stays bounded by the active users.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	idle := max(time.Duration(l.user.burst)*l.user.every, time.Duration(l.channel.burst)*l.channel.every)
	for k, b := range l.buckets {
		if now.Sub(b.seen) > idle {
			delete(l.buckets, k)
		}
	}
}
