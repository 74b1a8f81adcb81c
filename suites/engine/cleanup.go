package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dmsconform/dmsconform/spec"
)

// Cleanup sends every started request that is not known to have ended one cancel,
// then waits up to --cleanup-timeout for them to end. It is what an interrupted run
// calls; the error names the requests it could not confirm.
func (s *Session) Cleanup(ctx context.Context) error {
	s.mu.Lock()
	var todo []startedRequest
	for _, st := range s.starts {
		if st.id != "" && !st.done {
			todo = append(todo, st)
		}
	}
	s.mu.Unlock()
	if len(todo) == 0 {
		return nil
	}
	deadline := s.clock.Now().Add(s.Cfg.CleanupTimeout)
	for _, st := range todo {
		cancel := s.Model.FamilyOperation(st.family, spec.RoleCancel)
		body, _ := json.Marshal(map[string]string{"MigrationProjectIdentifier": s.Project, "RequestIdentifier": st.id})
		smp, _ := s.wire(ctx, "", wireRequest{Name: "clean-up: cancel " + st.id, Op: cancel, Body: body})
		s.addSetup(smp)
	}
	var unconfirmed []string
	for _, st := range todo {
		ended := false
		for delay := s.Cfg.MinDelay; ; delay = min(delay*2, s.Cfg.MaxDelay) {
			smp, err := s.describe(ctx, "", "clean-up: describe "+st.id, st.family, st.id)
			if smp != nil {
				s.addSetup(smp)
			}
			if err != nil {
				break
			}
			if r := requestIn(smp, st.id); r != nil && spec.IsTerminalStatus(Str(r["Status"])) {
				ended = true
				break
			}
			if !s.clock.Now().Add(delay).Before(deadline) || s.clock.Sleep(ctx, delay) != nil {
				break
			}
		}
		if ended {
			s.settled(st.id)
		} else {
			unconfirmed = append(unconfirmed, fmt.Sprintf("%s (%s)", st.id, st.family))
		}
	}
	if len(unconfirmed) > 0 {
		return fmt.Errorf("clean-up sent a cancel to every request the run started, but could not confirm within %s (--cleanup-timeout) that these ended: %s",
			s.Cfg.CleanupTimeout, strings.Join(unconfirmed, ", "))
	}
	return nil
}
