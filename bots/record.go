package bots

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/watwerkt/watwerkt/corpus"
)

// AsyncRecorder writes the question log behind the answer instead of in
// front of it: a chat answer never waits for the disk. Feedback is rare
// and the user is told whether it was saved, so it is written at once.
// When the queue is full (the disk cannot keep up) questions are dropped
// and counted, never blocking an answer.
type AsyncRecorder struct {
	next Recorder
	log  *slog.Logger
	q    chan corpus.QuestionEvent

	dropped atomic.Int64
	once    sync.Once
	done    chan struct{}
}

// NewAsyncRecorder starts a recorder that queues up to size questions
// for next. Close it to flush the queue.
func NewAsyncRecorder(next Recorder, size int, log *slog.Logger) *AsyncRecorder {
	if size <= 0 {
		size = 1024
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &AsyncRecorder{next: next, log: log, q: make(chan corpus.QuestionEvent, size), done: make(chan struct{})}
	go r.loop()
	return r
}

func (r *AsyncRecorder) loop() {
	defer close(r.done)
	for e := range r.q {
		if err := r.next.LogQuestion(context.Background(), e); err != nil {
			r.log.Warn("question log", "err", err)
		}
	}
}

// LogQuestion queues e; it never blocks.
func (r *AsyncRecorder) LogQuestion(ctx context.Context, e corpus.QuestionEvent) (err error) {
	defer func() {
		if recover() != nil { // closed: the service is stopping
			r.dropped.Add(1)
		}
	}()
	select {
	case r.q <- e:
	default:
		if n := r.dropped.Add(1); n == 1 || n%1000 == 0 {
			r.log.Warn("question log queue full; questions dropped", "dropped", n)
		}
	}
	return nil
}

// PutFeedback stores f at once.
func (r *AsyncRecorder) PutFeedback(ctx context.Context, f corpus.Feedback) error {
	return r.next.PutFeedback(ctx, f)
}

// Dropped is the number of questions not logged because the queue was full.
func (r *AsyncRecorder) Dropped() int64 { return r.dropped.Load() }

// Close writes what is queued and stops.
func (r *AsyncRecorder) Close() {
	r.once.Do(func() { close(r.q) })
	<-r.done
}
