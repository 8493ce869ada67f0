import { View, Text, Button, Input } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { useEffect, useState } from 'react'
import Page from '../../components/Page'
import { useSession } from '../../components/useSession'
import { tradeInApi, type Question, type TradeInCategory } from '../../services/trade-in'
import './index.css'

type Answers = Record<string, string | number | boolean>

/**
 * The trade-in wizard (以旧换新估价): first the kind of appliance, then one question a screen with
 * big buttons, built from GET /trade-in/categories. Query: category (to start at its questions),
 * and brand and ageYears (answered already).
 */
export default function TradeInWizard() {
  useSession()
  const { params } = useRouter()
  const [categories, setCategories] = useState<TradeInCategory[] | null>(null)
  const [category, setCategory] = useState<TradeInCategory | null>(null)
  const [step, setStep] = useState(0)
  const [answers, setAnswers] = useState<Answers>({})
  const [typed, setTyped] = useState('')
  const [problem, setProblem] = useState('')
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    tradeInApi
      .categories()
      .then((list) => {
        setCategories(list)
        const preset = list.find((c) => c.category === params.category)
        if (!preset) return
        setCategory(preset)
        // From 我的家电's 换新: the brand and age are known already, the wizard starts after them.
        const known: Answers = {}
        if (params.brand) known.brand = decodeURIComponent(params.brand)
        if (params.ageYears && /^\d{1,2}$/.test(params.ageYears)) known.ageYears = Number(params.ageYears)
        const first = preset.questions.findIndex((q) => !(q.id in known))
        setAnswers(known)
        setStep(first < 0 ? 0 : first)
      })
      .catch(() => setCategories([]))
  }, [params.category, params.brand, params.ageYears])

  const questions = category?.questions ?? []
  const question: Question | undefined = questions[step]
  const total = questions.length + 1

  const submit = async (all: Answers) => {
    if (!category) return
    setBusy(true)
    const quote = await tradeInApi.quote({ category: category.category, ...all }).catch(() => null)
    setBusy(false)
    if (quote) void Taro.redirectTo({ url: `/pages/trade-in-result/index?id=${quote.id}` })
  }

  const answer = (value: string | number | boolean) => {
    if (!question) return
    const next = { ...answers, [question.id]: value }
    setAnswers(next)
    setTyped('')
    setProblem('')
    if (step + 1 < questions.length) setStep(step + 1)
    else void submit(next)
  }

  const answerTyped = () => {
    if (!question) return
    if (question.type === 'brand') {
      if (typed.trim()) answer(typed.trim())
      return
    }
    const n = Number(typed)
    if (!typed || !Number.isFinite(n) || (question.min !== undefined && n < question.min) || (question.max !== undefined && n > question.max)) {
      setProblem(`请填写 ${question.min} 到 ${question.max} 之间的数字`)
      return
    }
    answer(question.id === 'ageYears' ? Math.floor(n) : n)
  }

  const back = () => {
    setProblem('')
    if (step > 0) setStep(step - 1)
    else {
      setCategory(null)
      setAnswers({})
    }
  }

  if (!category) {
    return (
      <Page testId='trade-in-page'>
        <View className='trade-in'>
          <View className='title'>旧家电值多少钱？</View>
          <View className='muted'>回答几个简单问题，马上知道旧机能抵多少钱，还有以旧换新补贴。</View>
          <View className='question'>您要换哪种旧家电？</View>
          {categories === null && <View className='muted'>加载中…</View>}
          <View className='choices'>
            {categories?.map((c) => (
              <View key={c.category} className='choice' data-testid={`trade-in-category-${c.category}`} onClick={() => { setCategory(c); setStep(0); setAnswers({}) }}>
                {c.name}
              </View>
            ))}
          </View>
        </View>
      </Page>
    )
  }

  return (
    <Page testId='trade-in-page'>
      <View className='trade-in'>
        <View className='progress'>{category.name} · 第 {step + 2} / {total} 步</View>
        <View className='bar'><View className='bar-fill' style={{ width: `${Math.round(((step + 2) / total) * 100)}%` }} /></View>
        {question && (
          <View data-testid={`trade-in-question-${question.id}`}>
            <View className='question'>{question.label}</View>
            <View className='choices'>
              {question.options.map((o) => (
                <View
                  key={String(o.value)}
                  className={`choice${answers[question.id] === o.value ? ' selected' : ''}${question.type === 'choice' && o.hint ? ' wide' : ''}`}
                  data-testid={`trade-in-option-${question.id}-${String(o.value)}`}
                  onClick={() => !busy && answer(o.value)}
                >
                  <Text>{o.label}</Text>
                  {o.hint && <Text className='hint'>{o.hint}</Text>}
                </View>
              ))}
            </View>
            {(question.type === 'number' || question.type === 'brand') && (
              <View className='card'>
                <View className='muted'>{question.type === 'brand' ? '没有您的牌子？直接写：' : `不在上面？直接填（${question.min}–${question.max}${question.unit ?? ''}）：`}</View>
                <Input
                  className='input'
                  type={question.type === 'brand' ? 'text' : 'digit'}
                  value={typed}
                  data-testid='trade-in-typed'
                  placeholder={question.type === 'brand' ? '品牌' : question.unit}
                  onInput={(e) => setTyped(e.detail.value)}
                />
                {problem && <View className='error' data-testid='trade-in-problem'>{problem}</View>}
                <Button className={`btn secondary${typed ? '' : ' disabled'}`} disabled={!typed || busy} data-testid='trade-in-typed-ok' onClick={answerTyped}>就是这个</Button>
              </View>
            )}
          </View>
        )}
        {busy && <View className='banner'>正在估价…</View>}
        <Button className='btn secondary' data-testid='trade-in-back' onClick={back}>上一步</Button>
      </View>
    </Page>
  )
}
