// WorldModels — see README's architecture section.
