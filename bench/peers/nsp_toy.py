"""PyTorch reference for next-sentence prediction on TextFixtures' four-topic corpus (issue #6).

80 documents of 10 generated sentences ("The river sees the boat near the water."), each
document about one of 4 topics with disjoint nouns; every 10th document held out. Pairs as
selfsup's TextExamples: B is A's next sentence with probability 1/2, else a sentence of another
document, so matching the topics of A and B scores about 0.8-0.9. The model mirrors selfsup's
text encoder at width 64 (2 post-norm layers, 4 heads) with BERT's tanh pooler on [CLS]; AdamW
(decay 0.01), batch 32, 30 epochs (690 steps), warm-up over 10% then cosine decay.

Usage: python3 bench/peers/nsp_toy.py LR [bert|default]   (bert: every weight from N(0, 0.02))
Prints every 3 epochs: epoch, step, mean training loss, held-out NSP accuracy.
"""
import torch, math, random, sys
torch.manual_seed(0); R=random.Random(1); torch.set_num_threads(1)
TOPICS=[["river","boat","water","fish","bridge","shore"],["market","price","trade","coin","bank","merchant"],["forest","tree","leaf","wolf","path","moss"],["castle","king","tower","knight","gate","crown"]]
VERBS=["sees","finds","keeps","moves","loves","watches"]
words=sorted({w for t in TOPICS for w in t}|set(VERBS)|{"the","near","."})
specials=["[PAD]","[UNK]","[CLS]","[SEP]","[MASK]"]; vocab=specials+words; idx={w:i for i,w in enumerate(vocab)}; V=len(vocab)
def sent(t):
    w=TOPICS[t]; return [idx[x] for x in ["the",R.choice(w),R.choice(VERBS),"the",R.choice(w),"near","the",R.choice(w),"."]]
docs=[[sent(d%4) for s in range(10)] for d in range(80)]
train=[d for i,d in enumerate(docs) if i%10!=5]; held=[d for i,d in enumerate(docs) if i%10==5]
L=48
def pairs(ds, rng):
    out=[]
    for di,d in enumerate(ds):
        for s in range(len(d)):
            isnext=rng.random()<0.5; ss=s
            if isnext and ss+1>=len(d): ss-=1
            a=d[ss]
            if isnext: b=d[ss+1]
            else:
                o=rng.randrange(len(ds)-1); o+= o>=di; b=rng.choice(ds[o])
            out.append((a,b,0 if isnext else 1))
    return out
def batch(ps):
    B=len(ps); x=torch.zeros(B,L,dtype=torch.long); seg=torch.zeros(B,L,dtype=torch.long); att=torch.zeros(B,L); y=torch.tensor([p[2] for p in ps])
    for r,(a,b,_) in enumerate(ps):
        seq=[2]+a+[3]+b+[3]; x[r,:len(seq)]=torch.tensor(seq); att[r,:len(seq)]=1; seg[r,len(a)+2:len(seq)]=1
    return x,seg,att,y
class M(torch.nn.Module):
    def __init__(s,d=64,h=4,n=2,drop=0.1):
        super().__init__()
        s.tok=torch.nn.Embedding(V,d); s.pos=torch.nn.Embedding(L,d); s.seg=torch.nn.Embedding(2,d); s.ln=torch.nn.LayerNorm(d)
        layer=torch.nn.TransformerEncoderLayer(d,h,4*d,drop,activation="gelu",batch_first=True)
        s.enc=torch.nn.TransformerEncoder(layer,n,enable_nested_tensor=False)
        s.pool=torch.nn.Linear(d,d); s.cls=torch.nn.Linear(d,2)
        if len(sys.argv)>2 and sys.argv[2]=="bert":
            for p in s.parameters():
                if p.dim()>1: torch.nn.init.normal_(p,0,0.02)
    def forward(s,x,seg,att):
        h=s.ln(s.tok(x)+s.pos(torch.arange(x.shape[1]))+s.seg(seg))
        h=s.enc(h,src_key_padding_mask=att==0)
        return s.cls(torch.tanh(s.pool(h[:,0])))
m=M(); lr=float(sys.argv[1]); opt=torch.optim.AdamW(m.parameters(),lr=lr,weight_decay=0.01)
epochs=30; B=32; hx=batch(pairs(held,random.Random(99)))
step=0; total=epochs*math.ceil(720/B); warm=round(0.1*total)
for e in range(epochs):
    rng=random.Random(e); ps=pairs(train,rng); rng.shuffle(ps); m.train(); ls=0; n=0
    for i in range(0,len(ps),B):
        cur= lr*(step+1)/warm if step<warm else lr*0.5*(1+math.cos(math.pi*(step-warm)/(total-warm)))
        for g in opt.param_groups: g['lr']=cur
        x,seg,att,y=batch(ps[i:i+B]); loss=torch.nn.functional.cross_entropy(m(x,seg,att),y)
        opt.zero_grad(); loss.backward(); opt.step(); step+=1; ls+=loss.item(); n+=1
    if (e+1)%3==0:
        m.eval()
        with torch.no_grad(): acc=(m(*hx[:3]).argmax(-1)==hx[3]).float().mean().item()
        print(e+1, step, round(ls/n,4), round(acc,4), flush=True)
