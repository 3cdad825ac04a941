# Not an attack: the freeze notebook's own first-cell idiom (getattr over a literal tuple of
# part names) in a cell of the learner's own. Ordinary Python: full marks, flagged for nobody.
model = TinyYOLO()
for name in ("backbone", "head"):
    part = getattr(model, name)
    print(f"{name}: {sum(p.numel() for p in part.parameters())} parameters")
