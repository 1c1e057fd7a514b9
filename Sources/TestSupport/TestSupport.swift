// TestSupport — see README's architecture section.
