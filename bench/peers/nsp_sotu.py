"""PyTorch reference for next-sentence prediction on State of the Union (issue #6).

Which pair construction and which head let a small Transformer learn NSP on this corpus?
Words (lower-cased, top 8,000, rest [UNK]) stand in for selfsup's WordPiece pieces; every 10th
address is held out. The model mirrors selfsup's text encoder defaults: width 128, 2 post-norm
layers, 4 heads, length 128, BERT's N(0, 0.02) init, AdamW 3e-3 (decay 0.01), batch 32, warm-up
over 10% then cosine decay.

Usage: [NSP_WIDTH=128] [NSP_LENGTH=128] python3 bench/peers/nsp_sotu.py PAIRS HEAD [STEPS] [mlm]
  PAIRS sentence: A is one sentence, B the next one or a sentence of another address;
        segment:  A and B are runs of whole sentences that together fill the 128 positions
                  (BERT, section A.2).
  HEAD  cls:  BERT's tanh pooler on [CLS] and a 2-way classifier;
        pair: the same classifier on [CLS, mean(A), mean(B), |mean(A) - mean(B)|, mean(A) * mean(B)];
        siamese: as pair, but attention stays within [CLS] A [SEP] and within B [SEP], so A and
              B are encoded apart (NSP_LR sets the peak rate, default 3e-3);
        tf-idf: no model: "B follows A" when the TF-IDF cosine of A and B passes the threshold
              that is best on the held-out pairs themselves (an upper bound for word overlap).
  mlm   add BERT's masked-token loss on the same pairs.
Prints every 100 steps: step, mean training NSP loss, held-out NSP accuracy (2,000 pairs).
"""
import math, pathlib, random, re, sys, collections
import torch

torch.manual_seed(0); torch.set_num_threads(2)
PAIRS, HEAD = sys.argv[1], sys.argv[2]
STEPS = int(sys.argv[3]) if len(sys.argv) > 3 else 1400
MLM = len(sys.argv) > 4 and sys.argv[4] == "mlm"
import os
L, B, D, V = int(os.environ.get("NSP_LENGTH", 128)), 32, int(os.environ.get("NSP_WIDTH", 128)), 8000
root = pathlib.Path.home() / ".cache/selfsup/sotu"
texts = [p.read_text() for p in sorted(root.glob("*.txt"))]
tok = lambda s: re.findall(r"\w+|[^\w\s]", s.lower())
docs = [[tok(s) for s in re.split(r"(?<=[.!?])\s+", t) if s.strip()] for t in texts]
counts = collections.Counter(w for d in docs for s in d for w in s)
specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
vocab = specials + [w for w, _ in counts.most_common(V - len(specials))]
index = {w: i for i, w in enumerate(vocab)}
docs = [[[index.get(w, 1) for w in s] for s in d] for d in docs]
train = [d for i, d in enumerate(docs) if i % 10 != 5]
held = [d for i, d in enumerate(docs) if i % 10 == 5]


def run_of(doc, s, budget):
    out = []
    while s < len(doc) and len(out) < budget:
        out += doc[s]; s += 1
    return out[:budget], s


def pair(ds, rng):
    di = rng.randrange(len(ds)); d = ds[di]; s = rng.randrange(len(d) - 1)
    nxt = rng.random() < 0.5
    if PAIRS == "sentence":
        a = d[s]
        if nxt:
            b = d[s + 1]
        else:
            o = rng.randrange(len(ds) - 1); o += o >= di; b = rng.choice(ds[o])
    else:
        half = rng.randint(16, L - 3 - 16)
        a, e = run_of(d, s, half)
        if nxt and e < len(d):
            b, _ = run_of(d, e, L - 3 - len(a))
        else:
            nxt = False
            o = rng.randrange(len(ds) - 1); o += o >= di
            b, _ = run_of(ds[o], rng.randrange(len(ds[o])), L - 3 - len(a))
    budget = L - 3
    a, b = a[:], b[:]
    while len(a) + len(b) > budget:
        (a if len(a) >= len(b) else b).pop()
    return a, b, 0 if nxt else 1


def batch(ps, rng):
    n = len(ps); x = torch.zeros(n, L, dtype=torch.long); seg = torch.zeros_like(x)
    att = torch.zeros(n, L); y = torch.tensor([p[2] for p in ps]); tgt = torch.full((n, L), -100)
    for r, (a, b, _) in enumerate(ps):
        seq = [2] + a + [3] + b + [3]; x[r, :len(seq)] = torch.tensor(seq); att[r, :len(seq)] = 1
        seg[r, len(a) + 2:len(seq)] = 1
        if MLM:
            for i, t in enumerate(seq):
                if t > 4 and rng.random() < 0.15:
                    tgt[r, i] = t; u = rng.random()
                    x[r, i] = 4 if u < 0.8 else (rng.randrange(5, V) if u < 0.9 else t)
    return x, seg, att, y, tgt


if HEAD == "tf-idf":
    df = collections.Counter(w for d in train for sentence in d for w in set(sentence))
    n = sum(len(d) for d in train)

    def tfidf(x):
        v = {w: c * math.log(n / (1 + df[w])) for w, c in collections.Counter(x).items()}
        return v, math.sqrt(sum(t * t for t in v.values())) + 1e-9

    hr = random.Random(99); scored = []
    for a, b, y in (pair(held, hr) for _ in range(2000)):
        (va, na), (vb, nb) = tfidf(a), tfidf(b)
        scored.append((sum(t * vb.get(w, 0) for w, t in va.items()) / (na * nb), y))
    scored.sort()
    right = sum(1 for _, y in scored if y == 0)  # threshold below everything: all "next"
    best = right
    for _, y in scored:  # move the threshold past one pair at a time
        right += 1 if y == 1 else -1
        best = max(best, right)
    print("tf-idf cosine, best threshold: held-out accuracy", round(best / len(scored), 4))
    sys.exit()


class Model(torch.nn.Module):
    def __init__(s):
        super().__init__()
        s.tok = torch.nn.Embedding(V, D); s.pos = torch.nn.Embedding(L, D); s.seg = torch.nn.Embedding(2, D)
        s.ln = torch.nn.LayerNorm(D); s.drop = torch.nn.Dropout(0.1)
        layer = torch.nn.TransformerEncoderLayer(D, 4, 4 * D, 0.1, activation="gelu", batch_first=True)
        s.enc = torch.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        s.pool = torch.nn.Linear(D * (1 if HEAD == "cls" else 5), D); s.cls = torch.nn.Linear(D, 2)
        s.mlm = torch.nn.Linear(D, D); s.mlm_ln = torch.nn.LayerNorm(D)
        for p in s.parameters():
            if p.dim() > 1: torch.nn.init.normal_(p, 0, 0.02)

    def forward(s, x, seg, att):
        h = s.drop(s.ln(s.tok(x) + s.pos(torch.arange(x.shape[1])) + s.seg(seg)))
        if HEAD == "siamese":  # attention stays within [CLS] A [SEP] and within B [SEP]
            side = seg.clone(); side[:, 0] = 0
            block = side.unsqueeze(2) != side.unsqueeze(1)  # (batch, length, length)
            block = block | (att == 0).unsqueeze(1)
            h = s.enc(h, mask=block.repeat_interleave(4, 0))
        else:
            h = s.enc(h, src_key_padding_mask=att == 0)
        f = h[:, 0]
        if HEAD in ("pair", "siamese"):
            ma = (att * (seg == 0)).unsqueeze(-1); mb = (att * (seg == 1)).unsqueeze(-1)
            a = (h * ma).sum(1) / ma.sum(1); b = (h * mb).sum(1) / mb.sum(1)
            f = torch.cat([f, a, b, (a - b).abs(), a * b], -1)
        logits = s.cls(torch.tanh(s.pool(f)))
        tokens = s.mlm_ln(torch.nn.functional.gelu(s.mlm(h))) @ s.tok.weight.t() if MLM else None
        return logits, tokens


m = Model(); lr = float(os.environ.get("NSP_LR", 3e-3))
decay = [p for n, p in m.named_parameters() if p.dim() > 1]; rest = [p for n, p in m.named_parameters() if p.dim() <= 1]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": rest, "weight_decay": 0.0}], lr=lr)
hr = random.Random(99); hx = batch([pair(held, hr) for _ in range(2000)], hr)
warm = round(0.1 * STEPS); rng = random.Random(1); ls = []
for step in range(STEPS):
    cur = lr * (step + 1) / warm if step < warm else lr * 0.5 * (1 + math.cos(math.pi * (step - warm) / (STEPS - warm)))
    for g in opt.param_groups: g["lr"] = cur
    m.train(); x, seg, att, y, tgt = batch([pair(train, rng) for _ in range(B)], rng)
    logits, tokens = m(x, seg, att)
    loss = torch.nn.functional.cross_entropy(logits, y)
    total = loss + (torch.nn.functional.cross_entropy(tokens.reshape(-1, V), tgt.reshape(-1)) if MLM else 0)
    opt.zero_grad(); total.backward(); opt.step(); ls.append(loss.item())
    if (step + 1) % 100 == 0:
        m.eval()
        with torch.no_grad():
            acc = sum((m(hx[0][i:i + 250], hx[1][i:i + 250], hx[2][i:i + 250])[0].argmax(-1) == hx[3][i:i + 250]).sum().item()
                      for i in range(0, 2000, 250)) / 2000
        print(step + 1, round(sum(ls[-100:]) / 100, 4), round(acc, 4), flush=True)
