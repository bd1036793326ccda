def render_card(info, spec, head):
    import json
    return "# stub\n\n```\n" + json.dumps(info, indent=1) + "\n```\n"
