// Command livekit-probe acts as a LiveKit participant and TURN client, so the integration tier
// checks a real livekit-server (and tokens issued by lk-jwt-service) without a browser:
//
//	livekit-probe join          --url ws://host:port --token JWT [--ca ca.pem]
//	livekit-probe create-room   --url http://host:port --key K --secret S --room R [--ca ca.pem]
//	livekit-probe turn-allocate --server host:port --username U --credential C [--realm R]
//	livekit-probe mint          --key K --secret S --room R --identity I [--no-join] [--room-create]
//	livekit-probe health        --url http://host:port/path [--body OK] [--ca ca.pem]
//
// Each prints one JSON line on stdout and exits 0; a refusal by the server (HTTP status,
// TURN error) exits 3 with the reason on stderr, any other failure exits 1. Secrets may come
// from the environment instead of the command line (LIVEKIT_API_KEY, LIVEKIT_API_SECRET,
// LIVEKIT_TOKEN, TURN_CREDENTIAL), where other processes cannot read them.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"github.com/livekit/protocol/auth"
	"github.com/livekit/protocol/livekit"
	"github.com/pion/logging"
	"github.com/pion/stun/v3"
	"github.com/pion/turn/v4"
	"github.com/twitchtv/twirp"
	"google.golang.org/protobuf/proto"
)

const (
	exitFailure = 1
	exitRefused = 3
	// The signalling protocol version the current client SDKs announce.
	protocolVersion = "16"
)

// refusal is a definite "no" from the server under test, as opposed to a probe failure.
type refusal struct{ reason string }

func (r refusal) Error() string { return r.reason }

func main() {
	if len(os.Args) < 2 {
		fail(errors.New("usage: livekit-probe join|create-room|turn-allocate|mint [flags]"))
	}
	commands := map[string]func([]string) (any, error){
		"join":          join,
		"create-room":   createRoom,
		"turn-allocate": turnAllocate,
		"mint":          mint,
		"health":        health,
	}
	command, ok := commands[os.Args[1]]
	if !ok {
		fail(fmt.Errorf("unknown subcommand %q", os.Args[1]))
	}
	result, err := command(os.Args[2:])
	if err != nil {
		fail(err)
	}
	if err := json.NewEncoder(os.Stdout).Encode(result); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	var refused refusal
	if errors.As(err, &refused) {
		os.Exit(exitRefused)
	}
	os.Exit(exitFailure)
}

// fromEnvironment names the environment variable each secret flag falls back to.
var fromEnvironment = map[string]string{
	"key":        "LIVEKIT_API_KEY",
	"secret":     "LIVEKIT_API_SECRET",
	"token":      "LIVEKIT_TOKEN",
	"credential": "TURN_CREDENTIAL",
}

func parse(set *flag.FlagSet, args []string, required ...string) error {
	if err := set.Parse(args); err != nil {
		return err
	}
	for name, variable := range fromEnvironment {
		if value := set.Lookup(name); value != nil && value.Value.String() == "" {
			_ = value.Value.Set(os.Getenv(variable))
		}
	}
	for _, name := range required {
		if set.Lookup(name).Value.String() == "" {
			return fmt.Errorf("%s: --%s is required", set.Name(), name)
		}
	}
	return nil
}

// tlsConfig trusts only the given CA file when one is named (the tests' own CA), else the system roots.
func tlsConfig(caFile string) (*tls.Config, error) {
	if caFile == "" {
		return &tls.Config{MinVersion: tls.VersionTLS12}, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificate in %s", caFile)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool}, nil
}

type iceServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username"`
	Credential string   `json:"credential"`
}

type joinResult struct {
	Room       string      `json:"room"`
	RoomSid    string      `json:"roomSid"`
	Identity   string      `json:"identity"`
	ServerVer  string      `json:"serverVersion"`
	ICEServers []iceServer `json:"iceServers"`
}

// join opens the signalling WebSocket the way a client SDK does and reads up to the
// JoinResponse: the server has then admitted the participant to the room.
func join(args []string) (any, error) {
	set := flag.NewFlagSet("join", flag.ContinueOnError)
	server := set.String("url", "", "LiveKit URL, ws:// or wss://")
	token := set.String("token", "", "access token (JWT)")
	caFile := set.String("ca", "", "PEM file of the CA to trust for wss://")
	timeout := set.Duration("timeout", 15*time.Second, "how long to wait for the JoinResponse")
	if err := parse(set, args, "url", "token"); err != nil {
		return nil, err
	}
	endpoint, err := url.Parse(strings.TrimSuffix(*server, "/") + "/rtc")
	if err != nil {
		return nil, err
	}
	query := url.Values{}
	query.Set("access_token", *token)
	query.Set("protocol", protocolVersion)
	query.Set("sdk", "go")
	query.Set("auto_subscribe", "false")
	endpoint.RawQuery = query.Encode()

	tlsClient, err := tlsConfig(*caFile)
	if err != nil {
		return nil, err
	}
	dialer := websocket.Dialer{HandshakeTimeout: *timeout, TLSClientConfig: tlsClient, Proxy: nil}
	conn, response, err := dialer.Dial(endpoint.String(), nil)
	if err != nil {
		if response != nil {
			body, _ := io.ReadAll(io.LimitReader(response.Body, 4096))
			return nil, refusal{fmt.Sprintf("join refused: HTTP %d: %s", response.StatusCode, strings.TrimSpace(string(body)))}
		}
		return nil, err
	}
	defer func() { _ = conn.Close() }()

	deadline := time.Now().Add(*timeout)
	for {
		_ = conn.SetReadDeadline(deadline)
		kind, payload, err := conn.ReadMessage()
		if err != nil {
			var closed *websocket.CloseError
			if errors.As(err, &closed) {
				return nil, refusal{fmt.Sprintf("join refused: connection closed (%d %s)", closed.Code, closed.Text)}
			}
			return nil, fmt.Errorf("no JoinResponse: %w", err)
		}
		if kind != websocket.BinaryMessage {
			continue
		}
		message := &livekit.SignalResponse{}
		if err := proto.Unmarshal(payload, message); err != nil {
			return nil, fmt.Errorf("undecodable signal message: %w", err)
		}
		if leave := message.GetLeave(); leave != nil {
			return nil, refusal{fmt.Sprintf("join refused: leave (%s)", leave.GetReason())}
		}
		joined := message.GetJoin()
		if joined == nil {
			continue
		}
		result := joinResult{
			Room:       joined.GetRoom().GetName(),
			RoomSid:    joined.GetRoom().GetSid(),
			Identity:   joined.GetParticipant().GetIdentity(),
			ServerVer:  joined.GetServerVersion(),
			ICEServers: []iceServer{},
		}
		for _, server := range joined.GetIceServers() {
			result.ICEServers = append(result.ICEServers, iceServer{
				URLs:       server.GetUrls(),
				Username:   server.GetUsername(),
				Credential: server.GetCredential(),
			})
		}
		// Leave politely, so the room does not keep a ghost participant until it times out.
		leave, _ := proto.Marshal(&livekit.SignalRequest{Message: &livekit.SignalRequest_Leave{
			Leave: &livekit.LeaveRequest{Reason: livekit.DisconnectReason_CLIENT_INITIATED},
		}})
		_ = conn.WriteMessage(websocket.BinaryMessage, leave)
		return result, nil
	}
}

// createRoom calls RoomService.CreateRoom (Twirp over HTTP(S)), as lk-jwt-service does for
// full-access users, with a token holding the roomCreate grant.
func createRoom(args []string) (any, error) {
	set := flag.NewFlagSet("create-room", flag.ContinueOnError)
	server := set.String("url", "", "LiveKit URL (ws(s):// is taken as http(s)://)")
	key := set.String("key", "", "API key")
	secret := set.String("secret", "", "API secret")
	room := set.String("room", "", "room name")
	caFile := set.String("ca", "", "PEM file of the CA to trust for https://")
	if err := parse(set, args, "url", "key", "secret", "room"); err != nil {
		return nil, err
	}
	base := *server
	base = strings.Replace(base, "wss://", "https://", 1)
	base = strings.Replace(base, "ws://", "http://", 1)
	tlsClient, err := tlsConfig(*caFile)
	if err != nil {
		return nil, err
	}
	client := livekit.NewRoomServiceProtobufClient(base, &http.Client{
		Timeout:   15 * time.Second,
		Transport: &http.Transport{TLSClientConfig: tlsClient, Proxy: nil},
	})
	token, err := auth.NewAccessToken(*key, *secret).
		SetVideoGrant(&auth.VideoGrant{RoomCreate: true}).
		SetValidFor(time.Minute).
		ToJWT()
	if err != nil {
		return nil, err
	}
	header := http.Header{}
	header.Set("Authorization", "Bearer "+token)
	ctx, err := twirp.WithHTTPRequestHeaders(context.Background(), header)
	if err != nil {
		return nil, err
	}
	created, err := client.CreateRoom(ctx, &livekit.CreateRoomRequest{Name: *room})
	if err != nil {
		var twirpError twirp.Error
		if errors.As(err, &twirpError) && twirpError.Code() != twirp.Internal && twirpError.Code() != twirp.Unavailable {
			return nil, refusal{fmt.Sprintf("create-room refused: %s: %s", twirpError.Code(), twirpError.Msg())}
		}
		return nil, err
	}
	return map[string]string{"name": created.GetName(), "sid": created.GetSid()}, nil
}

// turnAllocate asks a TURN server for a UDP relay with the given long-term credentials.
func turnAllocate(args []string) (any, error) {
	set := flag.NewFlagSet("turn-allocate", flag.ContinueOnError)
	server := set.String("server", "", "TURN server host:port (UDP)")
	username := set.String("username", "", "TURN username")
	credential := set.String("credential", "", "TURN password")
	realm := set.String("realm", "", "realm (normally learnt from the server's challenge)")
	local := set.String("local", "127.0.0.1:0", "local UDP address to send from")
	timeout := set.Duration("timeout", 15*time.Second, "overall time limit")
	if err := parse(set, args, "server", "username", "credential"); err != nil {
		return nil, err
	}
	conn, err := net.ListenPacket("udp4", *local)
	if err != nil {
		return nil, err
	}
	defer func() { _ = conn.Close() }()
	loggers := logging.NewDefaultLoggerFactory()
	loggers.DefaultLogLevel = logging.LogLevelWarn
	client, err := turn.NewClient(&turn.ClientConfig{
		STUNServerAddr: *server,
		TURNServerAddr: *server,
		Conn:           conn,
		Username:       *username,
		Password:       *credential,
		Realm:          *realm,
		LoggerFactory:  loggers,
	})
	if err != nil {
		return nil, err
	}
	defer client.Close()
	if err := client.Listen(); err != nil {
		return nil, err
	}

	type outcome struct {
		relayed net.Addr
		err     error
	}
	done := make(chan outcome, 1)
	go func() {
		relay, err := client.Allocate()
		if err != nil {
			done <- outcome{err: err}
			return
		}
		done <- outcome{relayed: relay.LocalAddr()}
		// The relay stays allocated until the process exits; the server's lifetime ends it.
	}()
	select {
	case result := <-done:
		if result.err != nil {
			// The server answered with an error (401 Unauthorized, 486 quota, 508 no ports...).
			var turnError *stun.TurnError
			if errors.As(result.err, &turnError) || strings.Contains(result.err.Error(), "error response") {
				return nil, refusal{fmt.Sprintf("allocation refused: %v", result.err)}
			}
			return nil, fmt.Errorf("allocation failed: %w", result.err)
		}
		return map[string]string{"relayed": result.relayed.String()}, nil
	case <-time.After(*timeout):
		return nil, fmt.Errorf("no allocation answer from %s within %s", *server, *timeout)
	}
}

// mint signs a LiveKit access token, for tests that need one without the authorisation service.
func mint(args []string) (any, error) {
	set := flag.NewFlagSet("mint", flag.ContinueOnError)
	key := set.String("key", "", "API key")
	secret := set.String("secret", "", "API secret")
	room := set.String("room", "", "room the token is for")
	identity := set.String("identity", "", "participant identity")
	noJoin := set.Bool("no-join", false, "leave out the roomJoin grant")
	roomCreate := set.Bool("room-create", false, "add the roomCreate grant (joins may then create the room)")
	validFor := set.Duration("valid-for", time.Hour, "token lifetime")
	if err := parse(set, args, "key", "secret", "room", "identity"); err != nil {
		return nil, err
	}
	token, err := auth.NewAccessToken(*key, *secret).
		SetVideoGrant(&auth.VideoGrant{RoomJoin: !*noJoin, RoomCreate: *roomCreate, Room: *room}).
		SetIdentity(*identity).
		SetValidFor(*validFor).
		ToJWT()
	if err != nil {
		return nil, err
	}
	return map[string]string{"token": token}, nil
}

// health is a readiness check: GET url must answer 200 (and the expected body, when given).
func health(args []string) (any, error) {
	set := flag.NewFlagSet("health", flag.ContinueOnError)
	target := set.String("url", "", "URL to GET")
	body := set.String("body", "", "expected body (trimmed); empty: any")
	caFile := set.String("ca", "", "PEM file of the CA to trust for https://")
	if err := parse(set, args, "url"); err != nil {
		return nil, err
	}
	tlsClient, err := tlsConfig(*caFile)
	if err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsClient, Proxy: nil}}
	response, err := client.Get(*target)
	if err != nil {
		return nil, err
	}
	defer func() { _ = response.Body.Close() }()
	text, _ := io.ReadAll(io.LimitReader(response.Body, 4096))
	got := strings.TrimSpace(string(text))
	if response.StatusCode != http.StatusOK || (*body != "" && got != *body) {
		return nil, refusal{fmt.Sprintf("GET %s: HTTP %d %q", *target, response.StatusCode, got)}
	}
	return map[string]any{"status": response.StatusCode, "body": got}, nil
}
