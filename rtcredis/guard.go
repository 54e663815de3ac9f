// This file holds the reply guard: a wrapper of every connection to Redis
// that refuses hostile RESP headers before go-redis allocates for them.

package rtcredis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"

	"github.com/redis/go-redis/v9"
)

// Limits of the reply guard. go-redis allocates what a reply header
// announces before the data arrives: a 14-byte "*2147483648" would make it
// allocate 32 GiB and the process die. The guard fails the connection
// instead (the command gets an error, so the store applies its failure
// mode) when a reply announces more than these.
const (
	// MaxReplyElements bounds the elements announced and not yet received
	// on one connection, summed over nested arrays, maps, sets and pushes
	// (a map entry counts twice). The stores' scripts answer with at most 4.
	MaxReplyElements = 1 << 20
	// MaxReplyBulk bounds one bulk or verbatim string, in bytes (16 MiB).
	MaxReplyBulk = 16 << 20
	// maxReplyLine bounds one header or simple-string line.
	maxReplyLine = 64 << 10
)

// ErrHostileReply marks a connection the guard closed because a reply
// announced more than MaxReplyElements or MaxReplyBulk, or was not RESP.
var ErrHostileReply = errors.New("rtcredis: redis reply refused by the guard")

// GuardClient makes rdb refuse hostile replies on every connection it
// dials from now on, by adding a dial hook that wraps each connection (see
// MaxReplyElements and MaxReplyBulk). NewDedupStore and NewLimiter call it
// on the client they are given, so build them before the client's first
// command (connections already in its pool are not wrapped); any other
// store of this module built on a client must call it too. Calling it
// again on the same client does nothing. A nil rdb is ignored.
func GuardClient(rdb redis.UniversalClient) {
	if rdb == nil {
		return
	}
	if _, loaded := guarded.LoadOrStore(rdb, struct{}{}); loaded {
		return
	}
	rdb.AddHook(guardHook{})
}

// guarded holds the clients GuardClient has hooked, so that a client shared
// by several stores gets one hook.
var guarded sync.Map

// GuardOptions makes every connection of a client built from opt refuse
// hostile replies, by wrapping opt.Dialer (or go-redis's default dialer
// when it is nil). It covers the connections from the first one, which
// GuardClient cannot when a client was used before.
//
//	opt := &redis.Options{Addr: "redis:6379"}
//	rtcredis.GuardOptions(opt)
//	rdb := redis.NewClient(opt)
func GuardOptions(opt *redis.Options) {
	if opt == nil {
		return
	}
	dial := opt.Dialer
	if dial == nil {
		dial = redis.NewDialer(opt)
	}
	opt.Dialer = GuardDialer(dial)
}

// GuardDialer wraps a dial function so that the connections it returns
// refuse hostile replies; use it for redis.ClusterOptions.Dialer or
// redis.FailoverOptions.Dialer.
func GuardDialer(dial func(ctx context.Context, network, addr string) (net.Conn, error)) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return guardConn(c), nil
	}
}

type guardHook struct{}

func (guardHook) DialHook(next redis.DialHook) redis.DialHook { return GuardDialer(next) }

func (guardHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }

func (guardHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func guardConn(c net.Conn) net.Conn {
	if g, ok := c.(*replyGuard); ok {
		return g
	}
	return &replyGuard{Conn: c}
}

// replyGuard follows the RESP stream read from Redis, header by header, and
// fails the connection on a header that announces too much. Reads of one
// connection come from one goroutine at a time (go-redis's pool).
type replyGuard struct {
	net.Conn
	err     error
	inLine  bool
	typ     byte
	line    []byte
	lineLen int
	skip    int64 // bytes of a bulk string (and its CRLF) still to pass
	stack   []guardFrame
	pending int64 // elements announced and not yet received
}

type guardFrame struct {
	left int64
	attr bool // an attribute map: it is not an element of its parent
}

func (g *replyGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.Conn.Read(p)
	if n > 0 {
		if e := g.scan(p[:n]); e != nil {
			g.err = e
			_ = g.Conn.Close()
			return 0, e
		}
	}
	return n, err
}

func (g *replyGuard) scan(b []byte) error {
	for i := 0; i < len(b); {
		if g.skip > 0 {
			k := int64(len(b) - i)
			if k > g.skip {
				k = g.skip
			}
			g.skip -= k
			i += int(k)
			if g.skip == 0 {
				g.elementDone()
			}
			continue
		}
		c := b[i]
		i++
		if !g.inLine {
			switch c {
			case '+', '-', ':', ',', '#', '_', '(', '$', '=', '!', '*', '%', '~', '>', '|':
			default:
				return fmt.Errorf("%w: unknown RESP type byte 0x%02x", ErrHostileReply, c)
			}
			g.inLine, g.typ, g.line, g.lineLen = true, c, g.line[:0], 0
			continue
		}
		if c == '\n' {
			g.inLine = false
			if err := g.endLine(); err != nil {
				return err
			}
			continue
		}
		g.lineLen++
		if g.lineLen > maxReplyLine {
			return fmt.Errorf("%w: a line longer than %d bytes", ErrHostileReply, maxReplyLine)
		}
		if lengthType(g.typ) && c != '\r' {
			if len(g.line) >= 20 {
				return fmt.Errorf("%w: a length of more than 20 digits", ErrHostileReply)
			}
			g.line = append(g.line, c)
		}
	}
	return nil
}

func lengthType(t byte) bool {
	switch t {
	case '$', '=', '!', '*', '%', '~', '>', '|':
		return true
	}
	return false
}

func (g *replyGuard) endLine() error {
	if !lengthType(g.typ) {
		g.elementDone()
		return nil
	}
	n, err := strconv.ParseInt(string(g.line), 10, 64)
	if err != nil || n < -1 {
		return fmt.Errorf("%w: bad length %q", ErrHostileReply, g.line)
	}
	if n == -1 { // a null
		g.elementDone()
		return nil
	}
	switch g.typ {
	case '$', '=', '!':
		if n > MaxReplyBulk {
			return fmt.Errorf("%w: a string of %d bytes announced (at most %d)", ErrHostileReply, n, MaxReplyBulk)
		}
		g.skip = n + 2
		return nil
	}
	if n > MaxReplyElements { // before doubling, so it cannot overflow
		return fmt.Errorf("%w: %d elements announced (at most %d)", ErrHostileReply, n, MaxReplyElements)
	}
	if g.typ == '%' || g.typ == '|' {
		n *= 2
	}
	if g.pending+n > MaxReplyElements {
		return fmt.Errorf("%w: %d elements announced (at most %d)", ErrHostileReply, g.pending+n, MaxReplyElements)
	}
	if n == 0 {
		if g.typ != '|' {
			g.elementDone()
		}
		return nil
	}
	g.stack = append(g.stack, guardFrame{left: n, attr: g.typ == '|'})
	g.pending += n
	return nil
}

// elementDone counts one complete element against the innermost aggregate,
// and the aggregates it completes against theirs.
func (g *replyGuard) elementDone() {
	for len(g.stack) > 0 {
		top := &g.stack[len(g.stack)-1]
		top.left--
		g.pending--
		if top.left > 0 {
			return
		}
		attr := top.attr
		g.stack = g.stack[:len(g.stack)-1]
		if attr {
			return
		}
	}
}
