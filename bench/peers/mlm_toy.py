"""PyTorch reference for TextLearningTest's masked-LM corpus (issue #6).

300 documents of 4 sentences; a sentence is 8 words stepping through a cyclic list of 24 words
by 1 or 2 from a random start, so a masked word follows from its neighbours. Every 10th document
is held out. The model mirrors selfsup's text encoder at the test's size: piece + segment +
position embeddings, layer norm, 2 post-norm layers (width 64, 4 heads, GELU feed-forward 256),
BERT's masked-LM head tied to the piece embeddings; BERT masking (15%, 80/10/10), batch 32,
windows of 30 pieces, linear warm-up over 10% of the steps then cosine decay.

Usage: python3 bench/peers/mlm_toy.py [--lr 3e-3] [--epochs 40] [--dropout 0]
       [--weight-decay 0] [--decoupled] [--embedding-std 1.0]
Prints: epoch, mean training loss, held-out masked accuracy, held-out perplexity (every 4 epochs).
"""
import argparse
import math
import random

import torch

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=3e-3)
parser.add_argument("--epochs", type=int, default=40)
parser.add_argument("--dropout", type=float, default=0.0)
parser.add_argument("--weight-decay", type=float, default=0.0)
parser.add_argument("--decoupled", action="store_true", help="AdamW instead of Adam + L2")
parser.add_argument("--embedding-std", type=float, default=1.0,
                    help="spread of the initial embeddings (PyTorch's default 1.0, BERT's 0.02)")
args = parser.parse_args()

torch.manual_seed(0)
random.seed(7)
torch.set_num_threads(1)
WORDS = ("apple bread chair dog eagle fish grape house ink jacket kite lamp moon nest owl pen "
         "queen rope sun tree umbrella vase wheel yarn").split()
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
vocabulary = SPECIALS + WORDS + ["."]
index = {w: i for i, w in enumerate(vocabulary)}
V = len(vocabulary)
LENGTH = 32

documents = []
for d in range(300):
    pieces = []
    for s in range(4):
        start, stride = random.randrange(24), 1 + random.randrange(2)
        pieces += [index[WORDS[(start + i * stride) % 24]] for i in range(8)] + [index["."]]
    documents.append(pieces)


def windows(docs):
    return [d[i:i + LENGTH - 2] for d in docs for i in range(0, len(d), LENGTH - 2)]


train = windows([d for i, d in enumerate(documents) if i % 10 != 5])
held_out = windows([d for i, d in enumerate(documents) if i % 10 == 5])


def batch(rows, rng):
    x = torch.zeros(len(rows), LENGTH, dtype=torch.long)
    attention = torch.zeros(len(rows), LENGTH)
    targets = torch.full((len(rows), LENGTH), -100, dtype=torch.long)
    for r, window in enumerate(rows):
        sequence = [2] + window + [3]
        x[r, :len(sequence)] = torch.tensor(sequence)
        attention[r, :len(sequence)] = 1
        eligible = list(range(1, len(sequence) - 1))
        for p in rng.sample(eligible, max(1, round(0.15 * len(eligible)))):
            targets[r, p] = x[r, p]
            u = rng.random()
            if u < 0.8:
                x[r, p] = 4
            elif u < 0.9:
                x[r, p] = rng.randrange(5, V)
    return x, attention, targets


class Model(torch.nn.Module):
    def __init__(self, width=64, heads=4, layers=2):
        super().__init__()
        self.pieces = torch.nn.Embedding(V, width)
        self.positions = torch.nn.Embedding(LENGTH, width)
        self.segments = torch.nn.Embedding(2, width)
        for table in (self.pieces, self.positions, self.segments):
            torch.nn.init.normal_(table.weight, 0, args.embedding_std)
        self.norm = torch.nn.LayerNorm(width)
        layer = torch.nn.TransformerEncoderLayer(width, heads, 4 * width, args.dropout,
                                                 activation="gelu", batch_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.transform = torch.nn.Linear(width, width)
        self.head_norm = torch.nn.LayerNorm(width)
        self.bias = torch.nn.Parameter(torch.zeros(V))

    def forward(self, x, attention):
        positions = torch.arange(x.shape[1])
        h = self.norm(self.pieces(x) + self.positions(positions) + self.segments(torch.zeros_like(x)))
        h = self.encoder(h, src_key_padding_mask=attention == 0)
        h = self.head_norm(torch.nn.functional.gelu(self.transform(h)))
        return h @ self.pieces.weight.T + self.bias


model = Model()
optimizer_class = torch.optim.AdamW if args.decoupled else torch.optim.Adam
optimizer = optimizer_class(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
B = 32
per_epoch = math.ceil(len(train) / B)
total = args.epochs * per_epoch
warmup = round(0.1 * total)
step = 0
for epoch in range(args.epochs):
    rng = random.Random(epoch)
    order = list(range(len(train)))
    rng.shuffle(order)
    model.train()
    loss_sum = 0.0
    for s in range(per_epoch):
        if step < warmup:
            lr = args.lr * (step + 1) / warmup
        else:
            lr = args.lr * 0.5 * (1 + math.cos(math.pi * (step - warmup) / (total - warmup)))
        for group in optimizer.param_groups:
            group["lr"] = lr
        x, attention, targets = batch([train[i] for i in order[s * B:(s + 1) * B]], rng)
        logits = model(x, attention)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step += 1
        loss_sum += loss.item()
    if (epoch + 1) % 4 == 0:
        model.eval()
        with torch.no_grad():
            x, attention, targets = batch(held_out, random.Random(99))
            logits = model(x, attention)
            chosen = targets != -100
            accuracy = (logits.argmax(-1)[chosen] == targets[chosen]).float().mean().item()
            perplexity = math.exp(torch.nn.functional.cross_entropy(logits[chosen], targets[chosen]).item())
        print(epoch + 1, round(loss_sum / per_epoch, 4), round(accuracy, 4), round(perplexity, 3),
              flush=True)
