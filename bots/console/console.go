// Package console is the terminal front end: a chat in which every line
// is a question and the reply is the answer a chat bot would give.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/watwerkt/watwerkt/bots"
)

// Greeting is shown when the chat starts.
const Greeting = `Stel je vraag, bijvoorbeeld: wat werkt bij jongeren die het contact met hun netwerk kwijt zijn?
Typ "meer" voor meer resultaten en "stop" (of Ctrl-D) om te stoppen.
`

var stopWords = map[string]bool{"stop": true, "exit": true, "quit": true, "doei": true, "q": true}

// MaxLine is the longest line read; longer input is cut (the search reads
// only the start of a question anyway).
const MaxLine = 64 << 10

// Run reads questions from in until it ends, "stop" is typed or ctx is
// done, and writes each answer to out.
func Run(ctx context.Context, conv *bots.Conversation, in io.Reader, out io.Writer) error {
	fmt.Fprint(out, Greeting)
	lines := make(chan string)
	errc := make(chan error, 1)
	go func() {
		defer close(lines)
		r := bufio.NewReaderSize(in, 4096)
		for {
			line, err := readLine(r)
			if line != "" || err == nil {
				select {
				case lines <- line:
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				if err != io.EOF {
					errc <- err
				}
				return
			}
		}
	}()
	for {
		fmt.Fprint(out, "\nvraag> ")
		var line string
		var ok bool
		select {
		case <-ctx.Done():
			fmt.Fprintln(out)
			return nil
		case line, ok = <-lines:
		}
		if !ok {
			fmt.Fprintln(out)
			select {
			case err := <-errc:
				return fmt.Errorf("read question: %w", err)
			default:
				return nil
			}
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if stopWords[strings.ToLower(line)] {
			fmt.Fprintln(out, "Tot ziens!")
			return nil
		}
		fmt.Fprintln(out)
		fmt.Fprint(out, bots.RenderText(conv.Handle(ctx, line)))
	}
}

// readLine reads one line of at most MaxLine bytes, dropping the rest.
func readLine(r *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		chunk, isPrefix, err := r.ReadLine()
		if b.Len() < MaxLine {
			b.Write(chunk[:min(len(chunk), MaxLine-b.Len())])
		}
		if err != nil {
			return b.String(), err
		}
		if !isPrefix {
			return b.String(), nil
		}
	}
}
