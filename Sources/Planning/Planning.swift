// Planning — see README's architecture section.
