// Reports — see README's architecture section.
